package io.prism.snapshotter.compact;

import static io.prism.snapshotter.compact.SinkWrittenPages.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction writes its merged pages at page.compression.level; replay reads them as any other. */
class CompactionLevelTest {
  private static final Clock NOW =
      Clock.fixed(
          Instant.ofEpochMilli(START_MILLIS + Duration.ofDays(30).toMillis()), ZoneOffset.UTC);
  private static final int EVENTS = 240;

  @TempDir Path dir;

  @Test
  void mergedPagesAreWrittenAtTheConfiguredLevelAndOnlyTheirCompressionDiffers() throws Exception {
    Map<String, byte[]> fast = compactAt("fast", CompressionLevel.of(1));
    Map<String, byte[]> fastAgain = compactAt("fast-again", CompressionLevel.of(1));
    Map<String, byte[]> strong = compactAt("strong", CompressionLevel.of(19));

    assertThat(fast).hasSize(3);
    assertThat(strong.keySet()).containsExactlyElementsOf(fast.keySet());
    for (String key : fast.keySet()) {
      assertThat(fastAgain.get(key))
          .as("the same level writes the same bytes")
          .isEqualTo(fast.get(key));
      assertThat(strong.get(key)).as("level 19 compresses differently").isNotEqualTo(fast.get(key));
      assertThat(unzstd(strong.get(key)))
          .as("the same uncompressed page")
          .isEqualTo(unzstd(fast.get(key)));
    }
  }

  @Test
  void settingsWithALevelTheCodecDoesNotTakeAreRefused() {
    assertThatThrownBy(
            () ->
                new CompactionSettings(
                    Duration.ofDays(1),
                    100_000,
                    6_000,
                    PageFormat.PROTOBUF,
                    Compression.GZIP,
                    CompressionLevel.of(15)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gzip levels are 1..9");
  }

  /**
   * Merges writer w's 12 small pages into 3 (as CompactorTest), returns the merged pages' bytes by
   * key.
   */
  private Map<String, byte[]> compactAt(String name, CompressionLevel level) throws Exception {
    try (ObjectStore store = new FilesystemObjectStore(dir.resolve(name))) {
      SinkWrittenPages.store(store, PageIndex.none(), 0, EVENTS, 10, START_MILLIS);
      CompactionSettings settings =
          new CompactionSettings(
              Duration.ofDays(1), 100_000, 6_000, PageFormat.PROTOBUF, Compression.ZSTD, level);
      new Compactor(
              store,
              PageIndex.none(),
              WriterPages.fromStorage(store, KeyTemplate.parse(KeyTemplate.DEFAULT)),
              settings,
              NOW)
          .run("w", false);

      assertThat(SinkWrittenPages.replay(store, null, "w"))
          .containsExactlyElementsOf(SinkWrittenPages.ids("w", 0, EVENTS));
      Map<String, byte[]> merged = new LinkedHashMap<>();
      for (String key : SinkWrittenPages.keys(store)) {
        if (key.contains("/w/") && CompactedKeys.looksMerged(key)) {
          try (InputStream in = store.get(key)) {
            merged.put(key, in.readAllBytes());
          }
        }
      }
      return merged;
    }
  }

  private static byte[] unzstd(byte[] stored) throws Exception {
    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(stored))) {
      return in.readAllBytes();
    }
  }
}
