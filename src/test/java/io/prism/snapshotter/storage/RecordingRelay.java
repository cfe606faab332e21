package io.prism.snapshotter.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP relay in front of an HTTP server that keeps every byte the clients send: what really went
 * over the wire, after the SDK signed it. Bytes pass unchanged (the Host header included), so a
 * signature checked by the server behind still holds.
 */
final class RecordingRelay implements AutoCloseable {
  private static final Pattern REQUEST_LINE =
      Pattern.compile("(?m)^(GET|HEAD|PUT|POST|DELETE) \\S+ HTTP/1\\.1\r\n");

  private final ServerSocket listener;
  private final URI target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

  private RecordingRelay(ServerSocket listener, URI target) {
    this.listener = listener;
    this.target = target;
  }

  /** A relay to {@code target} (http://host:port). */
  static RecordingRelay inFrontOf(URI target) throws IOException {
    RecordingRelay relay =
        new RecordingRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
    Thread acceptor = new Thread(relay::acceptLoop, "recording-relay-" + relay.port());
    acceptor.setDaemon(true);
    acceptor.start();
    return relay;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /**
   * The head (request line and headers, without the blank line) of each request sent so far, in
   * order per connection.
   */
  List<String> requestHeads() {
    String text;
    synchronized (sent) {
      text = sent.toString(StandardCharsets.ISO_8859_1);
    }
    List<String> heads = new ArrayList<>();
    Matcher request = REQUEST_LINE.matcher(text);
    while (request.find()) {
      int end = text.indexOf("\r\n\r\n", request.start());
      heads.add(text.substring(request.start(), end < 0 ? text.length() : end));
    }
    return heads;
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
      try {
        Socket server = new Socket(target.getHost(), target.getPort());
        sockets.addAll(List.of(client, server));
        pump(client, server, true);
        pump(server, client, false);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to, boolean record) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  if (record) {
                    synchronized (sent) {
                      sent.write(buffer, 0, n);
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
            "recording-relay-pump");
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
    sockets.forEach(RecordingRelay::closeQuietly);
  }
}
