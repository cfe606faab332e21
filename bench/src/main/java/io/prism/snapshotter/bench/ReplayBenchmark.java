package io.prism.snapshotter.bench;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageCursor;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.replay.EventFilter;
import io.prism.snapshotter.replay.ReplaySettings;
import io.prism.snapshotter.replay.ReplayStream;
import io.prism.snapshotter.replay.Replayer;
import io.prism.snapshotter.replay.StorageScanLocator;
import io.prism.snapshotter.replay.StorePageSource;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Replay throughput against the floor it can reach: in the same run, over the same stored pages (a
 * filesystem store, protobuf + zstd, the default key template so the locator lists the whole
 * store), (a) "direct": list the keys, then fetch and decode every page one after the other,
 * counting events; (b) "replay": {@link Replayer} with its defaults (locate, parallel prefetch,
 * repeat dropping, filtering). Prints events/s and stored MB/s of both and their ratio. A plain
 * main(), not JMH: a replay is seconds long.
 *
 * <p>Args: [pages (400)] [events per page (1000)] [payload bytes (256)] [rounds (3)]
 */
public final class ReplayBenchmark {
  public static void main(String[] args) throws Exception {
    int pages = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int eventsPerPage = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int payloadBytes = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Path dir = Files.createTempDirectory("replay-bench");
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    long storedBytes = fill(store, pages, eventsPerPage, payloadBytes);
    long events = (long) pages * eventsPerPage;
    System.out.printf(
        "%d pages x %d events x %d B payload (protobuf, zstd): %.1f MB stored, %d events%n",
        pages, eventsPerPage, payloadBytes, storedBytes / 1e6, events);

    double bestDirect = Double.MAX_VALUE;
    double bestReplay = Double.MAX_VALUE;
    for (int round = 0; round < rounds + 1; round++) { // round 0 warms up
      double direct = timeDirect(store, events);
      double replay = timeReplay(store, events);
      if (round > 0) {
        bestDirect = Math.min(bestDirect, direct);
        bestReplay = Math.min(bestReplay, replay);
      }
      System.out.printf("round %d: direct %.3f s, replay %.3f s%n", round, direct, replay);
    }
    System.out.printf(
        "direct: %,.0f events/s, %.1f MB/s stored%n",
        events / bestDirect, storedBytes / 1e6 / bestDirect);
    System.out.printf(
        "replay: %,.0f events/s, %.1f MB/s stored%n",
        events / bestReplay, storedBytes / 1e6 / bestReplay);
    System.out.printf("replay / direct = %.2f%n", bestDirect / bestReplay);
    store.close();
  }

  private static long fill(
      FilesystemObjectStore store, int pages, int eventsPerPage, int payloadBytes)
      throws Exception {
    Random random = new Random(42);
    PageEncoder encoder = new PageEncoder();
    long stored = 0;
    for (int p = 0; p < pages; p++) {
      long first = (long) p * eventsPerPage;
      List<Event> events = new ArrayList<>(eventsPerPage);
      for (int i = 0; i < eventsPerPage; i++) {
        byte[] payload = new byte[payloadBytes];
        // Half random, half repeated: compresses about 2:1, like JSON events.
        for (int b = 0; b < payloadBytes; b++) {
          payload[b] = b % 2 == 0 ? (byte) random.nextInt() : (byte) 'x';
        }
        events.add(
            Event.wrap(
                "events-0-" + (first + i),
                1_700_000_000_000L + first + i,
                payload,
                Map.of("type", "bench")));
      }
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("kafka.topic", "events");
      tags.put("kafka.partition", "0");
      tags.put("kafka.offset.first", Long.toString(first));
      tags.put("kafka.offset.last", Long.toString(first + eventsPerPage - 1));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      encoder.encode(
          PageFormat.PROTOBUF,
          Compression.ZSTD,
          new PageSpec("bench-writer", first, tags),
          events,
          out);
      String key =
          String.format(
              "snapshots/2023/11/14/bench-writer/%d_events-0-%020d.pb.zst",
              1_700_000_000_000L + first, first);
      store.put(
          key, new ByteArrayInputStream(out.toByteArray()), out.size(), PutOptions.defaults());
      stored += out.size();
    }
    return stored;
  }

  private static double timeDirect(FilesystemObjectStore store, long expected) throws Exception {
    long start = System.nanoTime();
    PageReader reader = new PageReader();
    long n = 0;
    String token = null;
    do {
      ListPage listed = store.list("", 1000, token);
      for (ObjectInfo o : listed.objects()) {
        try (InputStream in = store.get(o.key());
            PageCursor cursor = reader.open(in, o.key())) {
          while (cursor.hasNext()) {
            cursor.next();
            n++;
          }
        }
      }
      token = listed.nextContinuationToken();
    } while (token != null);
    check(n, expected);
    return (System.nanoTime() - start) / 1e9;
  }

  private static double timeReplay(FilesystemObjectStore store, long expected) {
    long start = System.nanoTime();
    long n = 0;
    try (Replayer replayer =
            new Replayer(
                pool -> new StorageScanLocator(store, KeyTemplate.parse(KeyTemplate.DEFAULT), pool),
                new StorePageSource(store),
                ReplaySettings.DEFAULT,
                null);
        ReplayStream events = replayer.replay("bench-writer", EventFilter.ALL)) {
      while (events.hasNext()) {
        events.next();
        n++;
      }
    }
    check(n, expected);
    return (System.nanoTime() - start) / 1e9;
  }

  private static void check(long n, long expected) {
    if (n != expected) {
      throw new IllegalStateException("read " + n + " events, expected " + expected);
    }
  }
}
