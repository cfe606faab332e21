package io.prism.snapshotter.chaos;

import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the bucket every few seconds during the run and remembers each page's size, ETag and
 * modification time as first seen: a page whose listing later differs was overwritten (pages are
 * written create-only, so this must never happen, zombie or not).
 */
final class OverwriteWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OverwriteWatch.class);

  private record Seen(long size, long lastModifiedMillis, String etag) {}

  private final ObjectStore store;
  private final Map<String, Seen> firstSeen = new HashMap<>();
  private final List<String> overwritten = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  OverwriteWatch(ObjectStore store) {
    this.store = store;
  }

  void start() {
    timer.scheduleWithFixedDelay(this::scanQuietly, 2, 3, TimeUnit.SECONDS);
  }

  /** One more scan, then the keys found overwritten. */
  synchronized List<String> overwritten() {
    scanQuietly();
    return List.copyOf(overwritten);
  }

  synchronized int pagesSeen() {
    return firstSeen.size();
  }

  private synchronized void scanQuietly() {
    try {
      String token = null;
      do {
        ListPage listing = store.list("", ObjectStore.MAX_KEYS_PER_PAGE, token);
        for (ObjectInfo info : listing.objects()) {
          Seen now = new Seen(info.size(), info.lastModifiedMillis(), info.etag());
          Seen before = firstSeen.putIfAbsent(info.key(), now);
          if (before != null && !sameObject(before, now) && !overwritten.contains(info.key())) {
            log.error("page {} changed: first {} now {}", info.key(), before, now);
            overwritten.add(info.key());
          }
        }
        token = listing.nextContinuationToken();
      } while (token != null);
    } catch (RuntimeException e) {
      log.debug("listing failed (S3 down?): {}", e.toString()); // an outage is one of the faults
    }
  }

  private static boolean sameObject(Seen a, Seen b) {
    return a.size() == b.size()
        && a.lastModifiedMillis() == b.lastModifiedMillis()
        && (a.etag() == null || b.etag() == null || Objects.equals(a.etag(), b.etag()));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
