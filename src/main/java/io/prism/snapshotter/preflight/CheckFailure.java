package io.prism.snapshotter.preflight;

/** A check that ran and found the service not doing what the sink needs: the message says what. */
final class CheckFailure extends Exception {
  CheckFailure(String message) {
    super(message, null, false, false);
  }
}
