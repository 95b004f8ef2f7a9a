package dev.strata.provider.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A pass-through HTTP proxy between the provider and moto, for the few things moto cannot do:
 * it records the EC2 requests (to check what the provider sent where moto drops it: EFA interfaces,
 * placement groups, client tokens), cuts moto's real answers into pages (moto ignores MaxResults),
 * and answers in moto's stead where a test injects a fault (HTTP 500, 403, a hang). Every answer
 * that is not injected is moto's own.
 */
final class Ec2Proxy implements AutoCloseable {

    /** One recorded request: its action, form parameters and the region it was signed for (from its Authorization header). */
    record Call(String action, Map<String, String> params, String region) {
    }

    /** An injected answer. */
    record Answer(int status, String body, Duration delay) {
        static Answer error(int status, String code, String message) {
            return new Answer(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>" + code + "</Code><Message>"
                    + message + "</Message></Error></Errors><RequestID>injected</RequestID></Response>", Duration.ZERO);
        }

        static Answer hang(Duration delay) {
            return new Answer(-1, "", delay);
        }

        /** Passes the request to moto after {@code delay}, and moto's answer back: a slow but working EC2. */
        static Answer slow(Duration delay) {
            return new Answer(-3, "", delay);
        }

        /** Passes the request to moto (which acts on it) and then loses moto's answer: the caller sees a 503. */
        static Answer lost() {
            return new Answer(-2, "", Duration.ZERO);
        }
    }

    private static final Set<String> PAGED = Set.of("DescribeInstanceTypes", "DescribeInstanceTypeOfferings", "DescribeInstances");

    private final HttpServer server;
    private final URI target;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Call, Answer> inject = call -> null;
    private volatile int pageSize;

    Ec2Proxy(URI target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers in moto's stead where the function returns an answer (null: pass through). */
    void inject(Function<Call, Answer> answers) {
        this.inject = answers;
    }

    /** Cuts list answers into pages of {@code size} items with NextToken (0: pass through whole). */
    void pageSize(int size) {
        this.pageSize = size;
    }

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    List<Call> calls(String action) {
        return calls().stream().filter(c -> c.action().equals(action)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> params = form(new String(body, StandardCharsets.UTF_8));
            Call call = new Call(params.getOrDefault("Action", ""), params, region(exchange.getRequestHeaders().getFirst("Authorization")));
            calls.add(call);
            Answer answer = inject.apply(call);
            if (answer != null && answer.status() == -3) {
                sleep(answer.delay());
                answer = null;
            }
            if (answer != null && answer.status() != -2) {
                if (answer.status() < 0) {
                    sleep(answer.delay());
                    return;
                }
                reply(exchange, answer.status(), answer.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            int size = pageSize;
            boolean paging = size > 0 && PAGED.contains(call.action()) && !params.containsKey("InstanceId.1");
            String token = params.get("NextToken");
            Map<String, String> forwarded = new LinkedHashMap<>(params);
            if (paging) {
                forwarded.remove("NextToken");
                forwarded.remove("MaxResults");
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(120))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofString(encode(forwarded)));
            for (String header : List.of("Content-Type", "Authorization", "X-Amz-Date", "X-Amz-Content-Sha256")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] out = response.body();
            if (paging && response.statusCode() == 200) {
                out = page(out, token == null ? 0 : Integer.parseInt(token.substring("page-".length())), size);
            }
            if (answer != null) {
                reply(exchange, 503, "<Response><Errors><Error><Code>ServiceUnavailable</Code><Message>answer lost</Message></Error></Errors></Response>"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            reply(exchange, response.statusCode(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            reply(exchange, 502, ("proxy: " + e).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Keeps items [page*size, (page+1)*size) of the answer's list and adds a nextToken when more follow. */
    static byte[] page(byte[] xml, int page, int size) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        Element root = doc.getDocumentElement();
        Element list = null;
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().endsWith("Set")) {
                list = e;
            }
            if (n instanceof Element e && e.getTagName().equals("nextToken")) {
                root.removeChild(e);
            }
        }
        if (list == null) {
            return xml;
        }
        List<Element> items = new ArrayList<>();
        for (Node n = list.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("item")) {
                items.add(e);
            }
        }
        for (int i = 0; i < items.size(); i++) {
            if (i < page * size || i >= (page + 1) * size) {
                list.removeChild(items.get(i));
            }
        }
        if ((page + 1) * size < items.size()) {
            Element next = doc.createElementNS(root.getNamespaceURI(), "nextToken");
            next.setTextContent("page-" + (page + 1));
            root.appendChild(next);
        }
        StringWriter out = new StringWriter();
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "no");
        transformer.transform(new DOMSource(doc), new StreamResult(out));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /** The region of a SigV4 Authorization header's credential scope ({@code Credential=KEY/DATE/REGION/ec2/aws4_request}), or "". */
    private static String region(String authorization) {
        java.util.regex.Matcher m = authorization == null ? null
                : java.util.regex.Pattern.compile("Credential=[^/]+/[^/]+/([^/]+)/").matcher(authorization);
        return m != null && m.find() ? m.group(1) : "";
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    private static String encode(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, v) -> {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return out.toString();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
