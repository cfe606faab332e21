package io.prism.snapshotter.chaos;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one writer sent and what was acknowledged, in order. An event is retried with the same event
 * id until it is acknowledged, so "sent" can hold events stored more than once in Kafka (a "maybe
 * stored" answer); replay must show each acknowledged one exactly once.
 */
final class WriterLedger {
  private final String writerId;
  private final WriterKind kind;
  private final Set<String> sent = new LinkedHashSet<>();
  private final Set<String> acknowledged = new LinkedHashSet<>();
  private long failedCalls;

  WriterLedger(String writerId, WriterKind kind) {
    this.writerId = writerId;
    this.kind = kind;
  }

  String writerId() {
    return writerId;
  }

  WriterKind kind() {
    return kind;
  }

  synchronized void sending(List<String> payloads) {
    sent.addAll(payloads);
  }

  synchronized void acknowledged(List<String> payloads) {
    acknowledged.addAll(payloads);
  }

  synchronized void failedCall() {
    failedCalls++;
  }

  synchronized List<String> sent() {
    return new ArrayList<>(sent);
  }

  synchronized Set<String> acknowledged() {
    return new LinkedHashSet<>(acknowledged);
  }

  synchronized long failedCalls() {
    return failedCalls;
  }

  /** The position of a payload in the writer's order: payloads are {@code <writer>-<n>}. */
  static long position(String payload) {
    return Long.parseLong(payload.substring(payload.lastIndexOf('-') + 1));
  }
}
