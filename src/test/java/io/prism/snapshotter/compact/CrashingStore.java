package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.ForwardingPageIndex;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.storage.ForwardingObjectStore;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.PutResult;
import java.io.InputStream;
import java.util.List;

/**
 * A real store and index behind a countdown: every change (store put and delete, index publish and
 * remove) is one step; the step that brings the countdown to zero is done, then the "process dies"
 * ({@link Crash}), so nothing after it runs. A countdown of 0 never fires and just counts the
 * steps.
 */
final class CrashingStore extends ForwardingObjectStore {
  static final class Crash extends RuntimeException {
    Crash(String step) {
      super("simulated crash after " + step);
    }
  }

  /** Shared by the store and the index, so steps count across both. */
  static final class Countdown {
    private int left;
    int steps;

    Countdown(int crashAfterStep) {
      this.left = crashAfterStep;
    }

    void stepDone(String what) {
      steps++;
      if (left > 0 && --left == 0) {
        throw new Crash(what);
      }
    }
  }

  static final class CrashingIndex extends ForwardingPageIndex {
    private final Countdown countdown;

    CrashingIndex(PageIndex index, Countdown countdown) {
      super(index);
      this.countdown = countdown;
    }

    @Override
    public void publish(List<IndexEntry> entries) {
      super.publish(entries);
      countdown.stepDone("publishing " + entries.size() + " entries");
    }

    @Override
    public void remove(List<IndexEntry> entries) {
      super.remove(entries);
      countdown.stepDone("removing " + entries.size() + " entries");
    }

    @Override
    public void close() {
      // the test owns the real index
    }
  }

  private final Countdown countdown;

  CrashingStore(ObjectStore store, Countdown countdown) {
    super(store);
    this.countdown = countdown;
  }

  @Override
  public PutResult put(String key, InputStream body, long length, PutOptions options) {
    PutResult result = super.put(key, body, length, options);
    countdown.stepDone("storing " + key);
    return result;
  }

  @Override
  public boolean delete(String key) {
    boolean existed = super.delete(key);
    countdown.stepDone("deleting " + key);
    return existed;
  }

  @Override
  public String describe() {
    return "crashing " + super.describe();
  }

  @Override
  public void close() {
    // the test owns the real store
  }
}
