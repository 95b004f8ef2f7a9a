package dev.strata.provider.baremetal.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder in front of a peer that accepts and at once closes its first {@code drop}
 * connections (a BMC restarting or overloaded, that hangs up before the TLS handshake ends) and
 * forwards the later ones byte for byte to the peer.
 */
public final class DroppingForwarder implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final AtomicInteger drop;
    private final AtomicInteger dropped = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private DroppingForwarder(ServerSocket server, InetSocketAddress upstream, int drop) {
        this.server = server;
        this.upstream = upstream;
        this.drop = new AtomicInteger(drop);
    }

    /** Forwards to {@code port} on the loopback address, after closing the first {@code drop} connections ({@link Integer#MAX_VALUE}: all). */
    public static DroppingForwarder start(int port, int drop) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        DroppingForwarder forwarder = new DroppingForwarder(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), drop);
        Thread acceptor = new Thread(forwarder::accept, "dropping-forwarder");
        acceptor.setDaemon(true);
        acceptor.start();
        return forwarder;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How many connections were closed unanswered. */
    public int dropped() {
        return dropped.get();
    }

    private void accept() {
        try {
            while (true) {
                Socket client = server.accept();
                if (drop.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0) {
                    dropped.incrementAndGet();
                    client.close();
                    continue;
                }
                Socket peer = new Socket();
                try {
                    peer.connect(upstream, 5000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(peer);
                pump(client, peer);
                pump(peer, client);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side hung up
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }, "dropping-forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
