package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.buffer.FlushPolicy;
import io.prism.snapshotter.buffer.FlushReason;
import io.prism.snapshotter.buffer.MemoryBudget;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.Page;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageBackend;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink's committer stores pages at page.compression.level; readers need not know it. */
class PageCommitterLevelTest {
  private static final TopicPartition PARTITION = new TopicPartition("events", 0);

  @TempDir Path dir;

  @Test
  void pagesStoredAtLevel19AreSmallerThanAtLevel1AndHoldTheSameEvents() throws Exception {
    Stored fast = storeOnePage("fast", CompressionLevel.of(1));
    Stored strong = storeOnePage("strong", CompressionLevel.of(19));

    assertThat(strong.page().events())
        .containsExactlyElementsOf(fast.page().events())
        .hasSize(2000);
    assertThat(strong.page().metadata()).isEqualTo(fast.page().metadata());
    assertThat(strong.info().key()).isEqualTo(fast.info().key());
    assertThat(strong.info().size()).isLessThan(fast.info().size());
  }

  @Test
  void aLevelTheCodecDoesNotTakeIsRefusedWhenTheCommitterIsMade() {
    ObjectStore store = new FilesystemObjectStore(dir.resolve("refused"));
    assertThatThrownBy(
            () ->
                new PageCommitter(
                    PageFormat.PROTOBUF,
                    Compression.GZIP,
                    CompressionLevel.of(12),
                    Map.of(),
                    KeyTemplate.parse(KeyTemplate.DEFAULT),
                    StorageBackend.FILESYSTEM,
                    store,
                    PageIndex.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gzip levels are 1..9");
  }

  private record Stored(ObjectInfo info, Page page) {}

  private Stored storeOnePage(String name, CompressionLevel level) throws Exception {
    ObjectStore store = new FilesystemObjectStore(dir.resolve(name));
    PageCommitter committer =
        new PageCommitter(
            PageFormat.NDJSON,
            Compression.ZSTD,
            level,
            Map.of(),
            KeyTemplate.parse(KeyTemplate.DEFAULT),
            StorageBackend.FILESYSTEM,
            store,
            PageIndex.none());
    PageAssembler assembler =
        new PageAssembler(
            new FlushPolicy(new FlushLimits(100_000, 50L << 20, Duration.ofHours(1))),
            new MemoryBudget(64L << 20, 0.75),
            committer,
            Clock.systemUTC());
    for (int offset = 0; offset < 2000; offset++) {
      byte[] payload =
          ("{\"user\":\"u-" + offset % 40 + "\",\"action\":\"click\",\"n\":" + offset + "}")
              .getBytes(StandardCharsets.UTF_8);
      assembler.accept(
          PARTITION,
          offset,
          "writer",
          new Event(
              "id-" + offset, 1_700_000_000_000L + offset, payload, Map.of("type", "page.view")));
    }
    assembler.flushPartitions(List.of(PARTITION), FlushReason.TASK_STOP);

    List<ObjectInfo> objects = store.list("", ObjectStore.MAX_KEYS_PER_PAGE, null).objects();
    assertThat(objects).hasSize(1);
    ObjectInfo info = objects.get(0);
    try (InputStream in = store.get(info.key())) {
      return new Stored(info, new PageReader().read(in, info.key()));
    }
  }
}
