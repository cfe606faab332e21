package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.Page;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.testing.ConnectTestCluster;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * 100,000 writers of small events in a JVM of 256 MiB (broker, worker and test together; see the
 * failsafe execution "memory-it" in pom.xml) with a 64 MiB budget: no OutOfMemoryError, pages
 * produced by eviction (nothing else can close them: no count or age is reached), and every event
 * stored.
 */
class SinkMemoryIT {
  static final int WRITERS = 100_000;
  static final int EVENTS_PER_WRITER = 2;
  static final int PARTITIONS = 4;

  @Test
  void hundredThousandWritersStayInsideTheBudget() throws Exception {
    // tmpfs when there is one: 100,000 pages with an fsync each would measure the disk, not us.
    Path shm = Paths.get("/dev/shm");
    Path pages =
        Files.createTempDirectory(
            Files.isDirectory(shm) ? shm : Paths.get(System.getProperty("java.io.tmpdir")),
            "prism-memory-it");
    // A reconfiguration stores some 50,000 open pages on the way: give the task the time that
    // takes.
    try (ConnectTestCluster cluster =
        ConnectTestCluster.start(1, Map.of("task.shutdown.graceful.timeout.ms", "600000"))) {
      cluster.createTopic("many", PARTITIONS);
      Map<String, String> config = SinkRoundTripIT.connectorConfig(pages);
      config.put("topics", "many");
      config.put("tasks.max", "1");
      config.put("page.compression", "none");
      config.put("buffer.max.events", "1000");
      config.put("buffer.max.age.seconds", "3600");
      config.put("buffer.memory.max.bytes", Long.toString(64L * 1024 * 1024));
      cluster.startConnector(config);
      try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
        // Each writer's open page of two such events counts ~1 KB (PageBuffer.heapBytes: ~450
        // bytes of chunks, its arrays and a fixed cost), ~100 MB for 100,000 writers: well over
        // the budget, so eviction must happen.
        byte[] payload = "x".repeat(128).getBytes(StandardCharsets.UTF_8);
        for (int w = 0; w < WRITERS; w++) {
          byte[] writer = ("writer-" + w).getBytes(StandardCharsets.UTF_8);
          for (int e = 0; e < EVENTS_PER_WRITER; e++) {
            producer.send(new ProducerRecord<>("many", writer, payload));
          }
        }
      }
      cluster.assertTopicHolds("many", PARTITIONS, (long) WRITERS * EVENTS_PER_WRITER);
      // No page reaches its count or its age: only the memory budget can close pages while the
      // stream runs. Committed offsets moving past the start prove that it did.
      ConnectTestCluster.await(
          "pages closed by the memory budget, offsets committed",
          Duration.ofMinutes(5),
          () -> {
            assertThat(cluster.taskStates()).allMatch(state -> state.startsWith("RUNNING"));
            return cluster.committedOffsets().values().stream().mapToLong(Long::longValue).sum()
                > WRITERS / 4;
          });
      assertThat(cluster.taskStates()).allMatch(state -> state.startsWith("RUNNING"));
      // Then let pages age out: the reconfigured task (its predecessor stores its open pages on
      // the way out) must bring every partition's committed offset to its end, and every event
      // below a committed offset must be in a page.
      config.put("buffer.max.age.seconds", "1");
      cluster.startConnector(config);
      cluster.awaitAllCommitted("many", PARTITIONS, Duration.ofMinutes(5));
      assertThat(cluster.taskStates()).allMatch(state -> state.startsWith("RUNNING"));
      assertThat(countStoredEvents(pages)).isEqualTo((long) WRITERS * EVENTS_PER_WRITER);
    } finally {
      deleteRecursively(pages);
      // The SQLite index lies beside the pages (SinkRoundTripIT.connectorConfig), with its
      // write-ahead log: on tmpfs, what is left behind stays in memory.
      for (String suffix : List.of("-index.db", "-index.db-wal", "-index.db-shm")) {
        Files.deleteIfExists(pages.resolveSibling(pages.getFileName() + suffix));
      }
    }
  }

  private static void deleteRecursively(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** Counts distinct stored events by offset, page by page: memory stays flat. */
  private static long countStoredEvents(Path pages) {
    BitSet[] seen = new BitSet[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
      seen[p] = new BitSet();
    }
    try (FilesystemObjectStore store = new FilesystemObjectStore(pages)) {
      String token = null;
      do {
        ListPage listing = store.list("", 1000, token);
        for (ObjectInfo info : listing.objects()) {
          Page page;
          try (InputStream in = store.get(info.key())) {
            page = new PageReader().read(in, info.key());
          }
          for (Event event : page.events()) {
            String id = event.eventId(); // many-<partition>-<offset>
            int dash = id.lastIndexOf('-');
            int partition = Integer.parseInt(id.substring(id.indexOf('-') + 1, dash));
            seen[partition].set(Integer.parseInt(id.substring(dash + 1)));
          }
        }
        token = listing.nextContinuationToken();
      } while (token != null);
    } catch (Exception e) {
      return -1;
    }
    long count = 0;
    for (BitSet bits : seen) {
      count += bits.cardinality();
    }
    return count;
  }
}
