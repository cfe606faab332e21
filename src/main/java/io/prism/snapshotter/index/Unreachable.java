package io.prism.snapshotter.index;

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
