package dev.strata.provider.baremetal.peers;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** Serves one small file over HTTP on 127.0.0.1, the "ISO image" a BMC fetches when virtual media is inserted. */
public final class ImageServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger downloads = new AtomicInteger();

    private ImageServer(HttpServer server) {
        this.server = server;
    }

    public static ImageServer start(String name, byte[] content) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        ImageServer images = new ImageServer(server);
        server.createContext("/" + name, exchange -> {
            try (exchange) {
                images.downloads.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, content.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(content);
                }
            }
        });
        server.start();
        return images;
    }

    public String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    public int downloads() {
        return downloads.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
