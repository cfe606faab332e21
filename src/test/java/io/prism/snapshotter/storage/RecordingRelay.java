package io.prism.snapshotter.storage;

import io.prism.snapshotter.testing.TcpGate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

  private final ByteArrayOutputStream sent;
  private final TcpGate gate;

  private RecordingRelay(ByteArrayOutputStream sent, TcpGate gate) {
    this.sent = sent;
    this.gate = gate;
  }

  /** A relay to {@code target} (http://host:port). */
  static RecordingRelay inFrontOf(URI target) throws IOException {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    return new RecordingRelay(
        sent, TcpGate.recordingInFrontOf(target.getHost() + ":" + target.getPort(), sent));
  }

  URI endpoint() {
    return URI.create("http://" + gate.address());
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

  @Override
  public void close() throws IOException {
    gate.close();
  }
}
