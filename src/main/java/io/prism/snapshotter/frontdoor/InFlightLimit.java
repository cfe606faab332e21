package io.prism.snapshotter.frontdoor;

import java.util.concurrent.Semaphore;

/**
 * Caps the events sent to Kafka and not yet acknowledged, across all calls. Over the cap a call is
 * refused at once ({@code RESOURCE_EXHAUSTED}) rather than queued, so an overloaded front door
 * sheds load instead of growing its heap and latency.
 */
final class InFlightLimit {
  private final int capacity;
  private final Semaphore permits;

  InFlightLimit(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("in-flight capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
    this.permits = new Semaphore(capacity);
  }

  boolean tryAcquire(int events) {
    return permits.tryAcquire(events);
  }

  void release(int events) {
    permits.release(events);
  }

  int capacity() {
    return capacity;
  }
}
