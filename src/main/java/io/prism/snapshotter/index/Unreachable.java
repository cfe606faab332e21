package io.prism.snapshotter.index;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a server that did not answer at all from one that refused what was asked. Index backends
 * open while their server is down (a Connect task must not stay FAILED because of an outage at
 * start), but a refusal such as a wrong password is a configuration error to report at once.
 */
final class Unreachable {
  private Unreachable() {}

  /**
   * Whether {@code e}, one of its causes, or an exception suppressed along the way (Jedis keeps the
   * failed attempts per address there) is a failure to reach the server.
   */
  static boolean causeOf(Throwable e) {
    return causeOf(e, 0);
  }

  /**
   * Whether the server closed a connection it had accepted (a reset, a broken pipe, the end of the
   * stream): how a TLS 1.3 server refuses, after the handshake, a client without the certificate it
   * requires. Not a refused connection, nor a timeout.
   */
  static boolean closedByServer(Throwable e) {
    return closedByServer(e, 0);
  }

  private static boolean closedByServer(Throwable e, int depth) {
    if (e == null || depth > 10) {
      return false;
    }
    if ((e instanceof SocketException
            && !(e instanceof ConnectException)
            && !(e instanceof NoRouteToHostException))
        || e instanceof EOFException
        // Jedis's own words for a connection the server closed while a reply was awaited.
        || String.valueOf(e.getMessage()).startsWith("Unexpected end of stream")) {
      return true;
    }
    for (Throwable suppressed : e.getSuppressed()) {
      if (closedByServer(suppressed, depth + 1)) {
        return true;
      }
    }
    return e.getCause() != e && closedByServer(e.getCause(), depth + 1);
  }

  private static boolean causeOf(Throwable e, int depth) {
    if (e == null || depth > 10) {
      return false;
    }
    // SocketException: a connection reset or broken while the server is stopping or restarting
    // (seen in the chaos run during a ClickHouse restart), besides refused and unroutable ones.
    if (e instanceof SocketException
        || e instanceof ConnectException
        || e instanceof NoRouteToHostException
        || e instanceof SocketTimeoutException
        || e instanceof UnknownHostException
        || e instanceof TimeoutException) {
      return true;
    }
    for (Throwable suppressed : e.getSuppressed()) {
      if (causeOf(suppressed, depth + 1)) {
        return true;
      }
    }
    return e.getCause() != e && causeOf(e.getCause(), depth + 1);
  }
}
