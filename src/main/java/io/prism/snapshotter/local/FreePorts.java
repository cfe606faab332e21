package io.prism.snapshotter.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * The ports of one start of the local stack: a setting of 0 gets a free port, and never one this
 * start has handed out already. Ports are found by binding port 0 and closing the socket, so two
 * lookups before anything listens can get the same port back from the system; the broker's listener
 * and controller then collided ("two listeners on the same port"), failing the start.
 */
final class FreePorts {
  /** Lookups per port before giving up: a repeat is rare, several in a row are not luck. */
  private static final int ATTEMPTS = 20;

  private final IntSupplier probe;
  private final Set<Integer> handedOut = new HashSet<>();

  /** Free ports from the system, on the loopback address. */
  FreePorts() {
    this(FreePorts::systemFreePort);
  }

  /** Free ports from {@code probe} (tests). */
  FreePorts(IntSupplier probe) {
    this.probe = probe;
  }

  /**
   * {@code configured}, or a free port not handed out before when it is 0.
   *
   * @throws IOException when no such port is found
   */
  int pick(int configured) throws IOException {
    if (configured != 0) {
      handedOut.add(configured);
      return configured;
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port;
      try {
        port = probe.getAsInt();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (handedOut.add(port)) {
        return port;
      }
    }
    throw new IOException(
        "the system gave only ports already chosen, " + ATTEMPTS + " times: " + handedOut);
  }

  private static int systemFreePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
