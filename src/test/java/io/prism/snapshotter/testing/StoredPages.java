package io.prism.snapshotter.testing;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.Page;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads back every page in a store, the way replay will, for assertions. */
public final class StoredPages {
  public record StoredPage(String key, Page page) {
    public String tag(String name) {
      return page.metadata().tags().get(name);
    }

    public long firstOffset() {
      return Long.parseLong(tag("kafka.offset.first"));
    }

    public int partition() {
      return Integer.parseInt(tag("kafka.partition"));
    }
  }

  private StoredPages() {}

  public static List<StoredPage> readAll(ObjectStore store, String prefix) throws Exception {
    List<StoredPage> pages = new ArrayList<>();
    String token = null;
    do {
      ListPage listing = store.list(prefix, 1000, token);
      for (ObjectInfo info : listing.objects()) {
        try (InputStream in = store.get(info.key())) {
          pages.add(new StoredPage(info.key(), new PageReader().read(in, info.key())));
        }
      }
      token = listing.nextContinuationToken();
    } while (token != null);
    return pages;
  }

  /** Events over all pages of the store, each copy counted. */
  public static long totalEvents(ObjectStore store) throws Exception {
    return readAll(store, "").stream().mapToLong(p -> p.page().events().size()).sum();
  }

  /** Distinct event ids over all pages of the store. */
  public static long distinctEventIds(ObjectStore store) throws Exception {
    return readAll(store, "").stream()
        .flatMap(p -> p.page().events().stream())
        .map(Event::eventId)
        .distinct()
        .count();
  }

  /**
   * Each writer's events in replay order (by partition, then first offset, then position), keyed by
   * writer id.
   */
  public static Map<String, List<Event>> eventsByWriter(List<StoredPage> pages) {
    List<StoredPage> ordered = new ArrayList<>(pages);
    ordered.sort(
        Comparator.comparingInt(StoredPage::partition).thenComparingLong(StoredPage::firstOffset));
    Map<String, List<Event>> byWriter = new HashMap<>();
    for (StoredPage stored : ordered) {
      byWriter
          .computeIfAbsent(stored.page().metadata().writerId(), k -> new ArrayList<>())
          .addAll(stored.page().events());
    }
    return byWriter;
  }

  /**
   * Each writer's payloads (as UTF-8 text) as replay shows them: in writer order, the first copy of
   * an event id kept and later copies dropped.
   */
  public static Map<String, List<String>> replayedPayloads(List<StoredPage> pages) {
    Map<String, List<String>> replayed = new HashMap<>();
    eventsByWriter(pages)
        .forEach(
            (writer, events) -> {
              java.util.Set<String> seen = new java.util.HashSet<>();
              List<String> payloads = new ArrayList<>();
              for (Event event : events) {
                if (seen.add(event.eventId())) {
                  payloads.add(
                      new String(event.payload(), java.nio.charset.StandardCharsets.UTF_8));
                }
              }
              replayed.put(writer, payloads);
            });
    return replayed;
  }
}
