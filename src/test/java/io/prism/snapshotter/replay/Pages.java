package io.prism.snapshotter.replay;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds events and encoded pages for replay tests, the way the sink's page committer does. */
final class Pages {
  private Pages() {}

  /**
   * Event {@code id} at {@code time}, payload "payload-<id>", attribute parity=even|odd of {@code
   * n}.
   */
  static Event event(String id, long time, int n) {
    return new Event(
        id,
        time,
        ("payload-" + id).getBytes(StandardCharsets.UTF_8),
        Map.of("parity", n % 2 == 0 ? "even" : "odd"));
  }

  /**
   * Events {@code <topic>-<partition>-<offset>} for offsets [first, last], time = 1000 + offset.
   */
  static List<Event> offsets(int partition, long first, long last) {
    List<Event> events = new ArrayList<>();
    for (long o = first; o <= last; o++) {
      events.add(event("events-" + partition + "-" + o, 1000 + o, (int) o));
    }
    return events;
  }

  static Map<String, String> kafkaTags(int partition, long first, long last) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("kafka.topic", "events");
    tags.put("kafka.partition", Integer.toString(partition));
    tags.put("kafka.offset.first", Long.toString(first));
    tags.put("kafka.offset.last", Long.toString(last));
    return tags;
  }

  static byte[] encode(
      String writer,
      long sequence,
      Map<String, String> tags,
      List<Event> events,
      PageFormat format,
      Compression compression) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PageEncoder()
          .encode(format, compression, new PageSpec(writer, sequence, tags), events, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Stores a page of the writer's events from offsets [first, last] of partition 0, as the sink
   * would.
   */
  static String store(
      ObjectStore store,
      String key,
      String writer,
      int partition,
      long first,
      long last,
      PageFormat format,
      Compression compression) {
    byte[] bytes =
        encode(
            writer,
            first,
            kafkaTags(partition, first, last),
            offsets(partition, first, last),
            format,
            compression);
    store.put(key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
    return key;
  }
}
