package io.prism.snapshotter.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP port that hangs up on every connection while closed and forwards to a target while open: an
 * address that "points nowhere" until the test opens it (a Kafka bootstrap address: clients learn
 * the broker's own address from the metadata, so only bootstrap connections pass through here; a
 * server that is down as a client starts). It can also keep a copy of what clients send, as it went
 * over the wire.
 */
public final class TcpGate implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionsForwarded = new AtomicInteger();

  /** Where the bytes clients send are copied (synchronized on it), or null. */
  private final ByteArrayOutputStream sent;

  private volatile boolean open;

  private TcpGate(
      ServerSocket listener, String targetHost, int targetPort, ByteArrayOutputStream sent) {
    this.listener = listener;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.sent = sent;
  }

  /** An open gate in front of {@code host:port}. */
  public static TcpGate openInFrontOf(String hostPort) throws IOException {
    TcpGate gate = inFrontOf(hostPort, null);
    gate.open();
    return gate;
  }

  /** A closed gate in front of {@code host:port}. */
  public static TcpGate closedInFrontOf(String hostPort) throws IOException {
    return inFrontOf(hostPort, null);
  }

  /**
   * An open gate in front of {@code host:port} that copies every byte clients send into {@code
   * sent}; read it synchronized on it.
   */
  public static TcpGate recordingInFrontOf(String hostPort, ByteArrayOutputStream sent)
      throws IOException {
    TcpGate gate = inFrontOf(hostPort, sent);
    gate.open();
    return gate;
  }

  private static TcpGate inFrontOf(String hostPort, ByteArrayOutputStream sent) throws IOException {
    String[] parts = hostPort.split(",")[0].trim().split(":");
    TcpGate gate =
        new TcpGate(
            new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
            parts[0],
            Integer.parseInt(parts[1]),
            sent);
    Thread acceptor = new Thread(gate::acceptLoop, "tcp-gate-" + gate.port());
    acceptor.setDaemon(true);
    acceptor.start();
    return gate;
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  public void open() {
    open = true;
  }

  /** How many connections clients have opened through the gate while it was open. */
  public int connectionsForwarded() {
    return connectionsForwarded.get();
  }

  private int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException closed) {
        return;
      }
      if (!open) {
        closeQuietly(client); // nothing there (yet)
        continue;
      }
      try {
        Socket target = new Socket(targetHost, targetPort);
        sockets.addAll(List.of(client, target));
        connectionsForwarded.incrementAndGet();
        pump(client, target, sent);
        pump(target, client, null);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private static void pump(Socket from, Socket to, ByteArrayOutputStream copy) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  if (copy != null) {
                    synchronized (copy) {
                      copy.write(buffer, 0, n);
                    }
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException ended) {
                // either side went away
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-gate-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(TcpGate::closeQuietly);
  }
}
