package dev.strata.provider.aws.ec2;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place where AWS SDK errors become Strata's portable exceptions. The SDK exception is
 * never attached as a cause (its type must not cross the SPI); its code, message, HTTP status
 * and request id go into the message, with any credential scrubbed out.
 */
public final class Ec2Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Ec2Errors.class);

    private static final Set<String> AUTHORIZATION = Set.of("AuthFailure", "UnauthorizedOperation", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "MissingAuthenticationToken", "IncompleteSignature", "OptInRequired", "Blocked",
            "AccessDenied", "AccessDeniedException", "ExpiredToken", "RequestExpired", "PendingVerification");
    private static final Set<String> THROTTLING = Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException",
            "ServiceUnavailable", "Unavailable", "InternalError");
    /** Refusals that come as server errors but are answers, not outages: retrying now will not help. */
    private static final Set<String> REFUSALS = Set.of("InsufficientInstanceCapacity", "InsufficientHostCapacity",
            "InsufficientReservedInstanceCapacity", "InsufficientCapacity", "InsufficientCapacityOnHost");

    /** The most of an answer's Content-Type a message shows. */
    private static final int MAX_CONTENT_TYPE = 100;
    /** What the SDK's XML reader makes of an empty answer. */
    private static final byte[] EMPTY_STAND_IN = "<eof/>".getBytes(StandardCharsets.UTF_8);

    private final UnaryOperator<String> scrub;

    /** @param scrub removes credentials from a text (applied to every message) */
    public Ec2Errors(UnaryOperator<String> scrub) {
        this.scrub = scrub;
    }

    /**
     * Translates an SDK error.
     *
     * @param action the EC2 action, e.g. {@code RunInstances}
     * @param region the region called
     */
    public StrataException translate(String action, String region, SdkException error) {
        String where = "EC2 " + action + " in " + region;
        StrataException out = classify(where, action, error);
        LOG.debug("{} failed: {} -> {}", where, clean(String.valueOf(error.getMessage())), out.getClass().getSimpleName());
        return out;
    }

    /**
     * Translates an exception other than the SDK's that an SDK call threw (a {@link NullPointerException} or
     * {@link IllegalStateException} from inside the SDK, a parser's error): like an SDK error, into a portable exception whose
     * message names the call and is scrubbed of credentials, never passed on raw. An interruption in its causes is a
     * {@link ProviderTimeoutException}, as the SDK's own; a RunInstances that failed so may have launched, so it is to be repeated
     * ({@link ProviderUnavailableException}: the client token and the operation tag find the instance); any other is a
     * {@link ProviderFailureException}, since the SDK failing on its own is no outage a repeat ends.
     *
     * @param action the EC2 action, e.g. {@code RunInstances}
     * @param region the region called
     */
    public StrataException translateOther(String action, String region, Throwable error) {
        String where = "EC2 " + action + " in " + region;
        String text = error.getClass().getName() + (error.getMessage() == null ? "" : ": " + clean(error.getMessage()));
        LOG.debug("{} failed inside the AWS SDK: {}", where, text);
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AbortedException || t instanceof InterruptedException || t instanceof java.io.InterruptedIOException) {
                return new ProviderTimeoutException(where + " was interrupted");
            }
        }
        if ("RunInstances".equals(action)) {
            return new ProviderUnavailableException(where + " failed inside the AWS SDK (" + text + "); the launch may have happened, "
                    + "and a repeat with the same client token is safe");
        }
        return new ProviderFailureException(where + " failed inside the AWS SDK: " + text);
    }

    private StrataException classify(String where, String action, SdkException error) {
        if (error instanceof ApiCallTimeoutException || error instanceof ApiCallAttemptTimeoutException) {
            return new ProviderTimeoutException(where + " did not answer in time: " + clean(error.getMessage()));
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // the SDK wraps an interruption in an AbortedException, sometimes inside another client exception
            if (t instanceof AbortedException || t instanceof InterruptedException) {
                return new ProviderTimeoutException(where + " was interrupted");
            }
        }
        if (error instanceof AwsServiceException service) {
            AwsErrorDetails details = service.awsErrorDetails();
            String code = details == null || details.errorCode() == null ? "" : details.errorCode();
            String message = details == null || details.errorMessage() == null ? "" : details.errorMessage();
            int status = service.statusCode();
            // the code and request id are EC2's text as much as the message: escaped the same way
            String request = service.requestId() == null ? "" : ", request " + clean(service.requestId());
            String text = code.isEmpty()
                    // not EC2's error XML (a web server's or a proxy's page where EC2 was expected): the status once, and what came
                    ? where + " failed: HTTP " + status + " with no EC2 error in its answer (" + answer(details) + request + ")"
                            + (message.isEmpty() ? "" : ": " + clean(message))
                    : where + " failed: " + clean(code) + (message.isEmpty() ? "" : ": " + clean(message)) + " (HTTP " + status + request + ")";
            if (status == 401 || status == 403 || AUTHORIZATION.contains(code)) {
                return new AuthorizationException(text);
            }
            if (REFUSALS.contains(code)) {
                return new ProviderFailureException(text);
            }
            if ("IdempotentParameterMismatch".equals(code) && "RunInstances".equals(action)) {
                // the client token (one per operation) launched an instance before, with other parameters: that instance is the
                // operation's and may not be listed yet; a repeat finds it by its operation tag, a failure would leave it to leak
                return new ProviderUnavailableException(text + "; this operation's client token launched an instance before, "
                        + "with other parameters, which is looked for again by its operation tag");
            }
            if (service.isThrottlingException() || THROTTLING.contains(code) || status >= 500 || status == 0) {
                return new ProviderUnavailableException(text);
            }
            if (code.endsWith(".NotFound") && !"RunInstances".equals(action)
                    || "InvalidInstanceType".equals(code) && "DescribeInstanceTypes".equals(action)) {
                // DescribeInstanceTypes refuses a type name no type has as invalid: there is no such type
                return new NotFoundException(text);
            }
            return new ProviderFailureException(text);
        }
        if (error instanceof SdkClientException && String.valueOf(error.getMessage()).startsWith("Unable to load credentials")) {
            // nothing was sent: no retry brings credentials, a configuration does
            return new AuthorizationException(where + " has no credentials: the standard AWS chain found none (environment "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the profile file, the instance role); give the provider's configuration "
                    + "accessKeyId and secretAccessKeyFile, or the chain credentials (" + clean(error.getMessage()) + ")");
        }
        if (error instanceof SdkClientException) {
            Throwable root = error;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String detail = root == error ? clean(error.getMessage())
                    : root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + clean(root.getMessage()));
            return new ProviderUnavailableException(where + " could not be reached: " + detail);
        }
        return new ProviderFailureException(where + " failed: " + clean(error.getMessage()));
    }

    /** What an answer without EC2's error was: its content type and size, or that it was empty. */
    private String answer(AwsErrorDetails details) {
        byte[] raw = details == null || details.rawResponse() == null ? new byte[0] : details.rawResponse().asByteArrayUnsafe();
        // the SDK's XML reader stands "<eof/>" in for an empty answer
        int size = Arrays.equals(raw, EMPTY_STAND_IN) ? 0 : raw.length;
        if (size == 0) {
            return "empty";
        }
        String type = details.sdkHttpResponse() == null ? ""
                : details.sdkHttpResponse().firstMatchingHeader("Content-Type").map(String::strip).orElse("");
        if (type.length() > MAX_CONTENT_TYPE) {
            type = type.substring(0, MAX_CONTENT_TYPE) + "...";
        }
        return (type.isEmpty() ? "no Content-Type" : clean(type)) + ", " + size + (size == 1 ? " byte" : " bytes");
    }

    /**
     * {@code message} without credentials and with the characters a log or terminal would not show as themselves escaped
     * ({@link InvalidConfigurationException#printable}): EC2's error text is outside data,
     * and a line break or bidi control in it would forge or hide a line of the log it reaches.
     */
    private String clean(String message) {
        return message == null ? "" : InvalidConfigurationException.printable(scrub.apply(message));
    }
}
