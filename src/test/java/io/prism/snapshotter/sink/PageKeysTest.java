package io.prism.snapshotter.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.StorageBackend;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PageKeysTest {
  private static final TopicPartition EVENTS_0 = new TopicPartition("events", 0);
  private static final long TIME = 1_700_000_000_000L;

  private static PageKeys keys(StorageBackend backend) {
    return new PageKeys(
        KeyTemplate.parse(KeyTemplate.DEFAULT), PageFormat.PROTOBUF, Compression.ZSTD, backend);
  }

  /**
   * Azure drops a path segment's trailing dots: writer "a."'s page would be stored where writer
   * "a"'s are, and not found under its key. A bad record there (dead letter queue), said why.
   */
  @Test
  void aWriterIdEndingInADotIsABadRecordOnAzure() {
    assertThatThrownBy(
            () -> keys(StorageBackend.AZURE).asNewPageCheck().check(EVENTS_0, "a.", 7, TIME))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "no valid object key for a page of writer 'a.' of topic 'events' under"
                + " storage.key.template '"
                + KeyTemplate.DEFAULT
                + "' on storage.backend=azure: invalid object key"
                + " 'snapshots/2023/11/14/a./1700000000000_events-0-00000000000000000007.pb.zst':"
                + " segment 'a.' ends with '.', which Azure Blob Storage drops from a path segment:"
                + " the page would be stored under another name than the one it is read by");
  }

  /** The encoding is unchanged: pages already stored keep their keys, on every backend. */
  @Test
  void keysAreTheSameOnEveryBackendWhereTheyCanBeStored() {
    String key = "snapshots/2023/11/14/a./1700000000000_events-0-00000000000000000007.pb.zst";
    assertThat(keys(StorageBackend.FILESYSTEM).keyOf("a.", EVENTS_0, 7, TIME)).isEqualTo(key);
    assertThat(keys(StorageBackend.S3).keyOf("a.", EVENTS_0, 7, TIME)).isEqualTo(key);
    assertThat(keys(StorageBackend.GCS).keyOf("a.", EVENTS_0, 7, TIME)).isEqualTo(key);
    for (StorageBackend backend : StorageBackend.values()) {
      assertThat(keys(backend).keyOf(".a.b", EVENTS_0, 7, TIME))
          .isEqualTo(
              "snapshots/2023/11/14/%2Ea.b/1700000000000_events-0-00000000000000000007.pb.zst");
    }
  }
}
