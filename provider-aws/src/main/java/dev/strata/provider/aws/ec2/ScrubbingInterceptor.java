package dev.strata.provider.aws.ec2;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Removes the configured credentials from every answer before the SDK reads it, so that a
 * backend (or a proxy, or an emulator) echoing a key id or secret cannot carry it into an SDK
 * exception, and from there into the SDK's own debug logging, which Strata does not control.
 */
final class ScrubbingInterceptor implements ExecutionInterceptor {

    private final UnaryOperator<String> scrub;

    ScrubbingInterceptor(UnaryOperator<String> scrub) {
        this.scrub = scrub;
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        Optional<InputStream> content = context.responseBody();
        if (content.isEmpty()) {
            return content;
        }
        try (InputStream in = content.get()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Optional.of(new ByteArrayInputStream(scrub.apply(body).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
