package dev.strata.provider.baremetal.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Test code standing in for a lossy network between {@code ipmitool} and a BMC ({@code ipmi_sim}):
 * a UDP relay on a free port of 127.0.0.1 that forwards every datagram both ways and can lose the
 * answer to one request. No peer that runs here loses datagrams on demand, so this is hand-written.
 *
 * <p>It reads only the clear part of each RMCP+ datagram (the payload type; the IPMI message inside
 * is encrypted) and keeps, per session, a count of the IPMI requests sent after the session came
 * up (after the RAKP 4 answer). An ipmitool run is one session whose requests always come in the
 * same order, the command itself second to last (before Close Session): a run without loss tells
 * the command's place, and {@link #loseAnswerTo(int)} then loses the answer to the request at that
 * place in the next session. One client at a time (ipmitool runs one after another).
 */
public final class LossyUdpRelay implements AutoCloseable {

    /**
     * One RMCP+ session as the relay saw it.
     *
     * @param requests the IPMI requests sent after the session came up, retransmissions included
     * @param lostAnswerTo the request whose answer was lost (1 is the first after the session came up), 0 for none
     */
    public record Session(int requests, int lostAnswerTo) {
    }

    private static final int RMCP_PLUS = 0x06;
    private static final int PAYLOAD_IPMI = 0x00;
    private static final int PAYLOAD_OPEN_SESSION_REQUEST = 0x10;
    private static final int PAYLOAD_RAKP_4 = 0x15;

    private final DatagramSocket front;
    private final DatagramSocket back;
    private final Object lock = new Object();
    private volatile SocketAddress client;
    // guarded by lock
    private final List<Session> sessions = new ArrayList<>();
    private boolean active;
    private int requests;
    private int lostAnswerTo;
    private int loseAnswerTo;

    private LossyUdpRelay(DatagramSocket front, DatagramSocket back) {
        this.front = front;
        this.back = back;
    }

    /** A relay in front of the BMC on UDP port {@code upstreamPort} of 127.0.0.1. */
    public static LossyUdpRelay start(int upstreamPort) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        DatagramSocket front = new DatagramSocket(new InetSocketAddress(loopback, 0));
        DatagramSocket back = new DatagramSocket(new InetSocketAddress(loopback, 0));
        back.connect(new InetSocketAddress(loopback, upstreamPort));
        LossyUdpRelay relay = new LossyUdpRelay(front, back);
        relay.thread("requests", relay::requests);
        relay.thread("answers", relay::answers);
        return relay;
    }

    private void thread(String name, Runnable loop) {
        Thread t = new Thread(loop, "lossy-udp-relay-" + name + "-" + front.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return front.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Loses the answer to the {@code request}-th IPMI request after the next session comes up (once). */
    public void loseAnswerTo(int request) {
        synchronized (lock) {
            loseAnswerTo = request;
        }
    }

    /** The sessions seen so far, the one in progress last. */
    public List<Session> sessions() {
        synchronized (lock) {
            List<Session> all = new ArrayList<>(sessions);
            if (active || requests > 0) {
                all.add(new Session(requests, lostAnswerTo));
            }
            return all;
        }
    }

    /** The last session seen. */
    public Session lastSession() {
        List<Session> all = sessions();
        if (all.isEmpty()) {
            throw new IllegalStateException("no RMCP+ session went through the relay");
        }
        return all.get(all.size() - 1);
    }

    private void requests() {
        byte[] buffer = new byte[2048];
        while (!front.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                front.receive(p);
                client = p.getSocketAddress();
                int type = payloadType(p);
                synchronized (lock) {
                    if (type == PAYLOAD_OPEN_SESSION_REQUEST) {
                        if (active || requests > 0) {
                            sessions.add(new Session(requests, lostAnswerTo));
                        }
                        active = false;
                        requests = 0;
                        lostAnswerTo = 0;
                    } else if (active && type == PAYLOAD_IPMI) {
                        requests++;
                    }
                }
                back.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength()));
            } catch (IOException e) {
                // closed, or one datagram that could not be passed on: a lossy network
            }
        }
    }

    private void answers() {
        byte[] buffer = new byte[2048];
        while (!back.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                back.receive(p);
                int type = payloadType(p);
                synchronized (lock) {
                    if (type == PAYLOAD_RAKP_4) {
                        active = true;
                    } else if (active && type == PAYLOAD_IPMI && loseAnswerTo > 0 && requests == loseAnswerTo) {
                        lostAnswerTo = loseAnswerTo;
                        loseAnswerTo = 0;
                        continue;
                    }
                }
                SocketAddress to = client;
                if (to != null) {
                    front.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), to));
                }
            } catch (IOException e) {
                // closed, or one datagram that could not be passed on: a lossy network
            }
        }
    }

    /** The RMCP+ payload type of a datagram (RMCP header, then auth type 06 and the payload type), or -1 for anything else. */
    private static int payloadType(DatagramPacket p) {
        byte[] d = p.getData();
        int o = p.getOffset();
        if (p.getLength() < 6 || (d[o + 4] & 0xff) != RMCP_PLUS) {
            return -1;
        }
        return d[o + 5] & 0x3f;
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
