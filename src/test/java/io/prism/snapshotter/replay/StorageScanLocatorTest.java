package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageScanLocatorTest {
  @TempDir Path dir;

  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void slowPathListsTheWholeStoreAndKeepsOnlyTheWritersPagesInWriterOrder() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    // Keys sort by date first, so listing order differs from writer order.
    Pages.store(
        store,
        "snapshots/2025/10/02/a/x-10.pb.zst",
        "a",
        0,
        10,
        19,
        PageFormat.PROTOBUF,
        Compression.ZSTD);
    Pages.store(
        store,
        "snapshots/2025/10/01/a/x-20.ndjson.gz",
        "a",
        0,
        20,
        29,
        PageFormat.NDJSON,
        Compression.GZIP);
    Pages.store(
        store,
        "snapshots/2025/10/01/a/x-0.pb",
        "a",
        0,
        0,
        9,
        PageFormat.PROTOBUF,
        Compression.NONE);
    Pages.store(
        store,
        "snapshots/2025/10/01/ab/x-0.pb",
        "ab",
        0,
        0,
        9,
        PageFormat.PROTOBUF,
        Compression.NONE);
    Pages.store(
        store,
        "snapshots/2025/10/01/b/x-0.pb",
        "b",
        0,
        0,
        9,
        PageFormat.PROTOBUF,
        Compression.NONE);

    StorageScanLocator locator =
        new StorageScanLocator(store, KeyTemplate.parse(KeyTemplate.DEFAULT), pool);

    assertThat(locator.locate("a", TimeRange.ALL))
        .extracting(PageRef::key)
        .containsExactly(
            "snapshots/2025/10/01/a/x-0.pb",
            "snapshots/2025/10/02/a/x-10.pb.zst",
            "snapshots/2025/10/01/a/x-20.ndjson.gz");
    assertThat(locator.locate("nobody", TimeRange.ALL)).isEmpty();
  }

  @Test
  void pagesOutsideTheTimeRangeAreLeftOut() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    // times are 1000 + offset
    Pages.store(store, "a/0.pb", "a", 0, 0, 9, PageFormat.PROTOBUF, Compression.NONE);
    Pages.store(store, "a/10.pb", "a", 0, 10, 19, PageFormat.PROTOBUF, Compression.NONE);
    Pages.store(store, "a/20.pb", "a", 0, 20, 29, PageFormat.PROTOBUF, Compression.NONE);
    StorageScanLocator locator =
        new StorageScanLocator(store, KeyTemplate.parse("{writer_id}/{start_offset}{ext}"), pool);

    assertThat(locator.locate("a", new TimeRange(1015, 1020)))
        .extracting(PageRef::key)
        .containsExactly("a/10.pb", "a/20.pb");
    assertThat(locator.locate("a", new TimeRange(1019, 1019)))
        .extracting(PageRef::key)
        .containsExactly("a/10.pb");
    assertThat(locator.locate("a", new TimeRange(2000, 3000))).isEmpty();
  }

  @Test
  void fastPathListsOnlyUnderTheWriterPrefix() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    Pages.store(store, "a/0.pb", "a", 0, 0, 9, PageFormat.PROTOBUF, Compression.NONE);
    // A corrupt object elsewhere is never read: it is not under a/.
    byte[] junk = "not a page".getBytes(StandardCharsets.UTF_8);
    store.put("b/0.pb", new ByteArrayInputStream(junk), junk.length, PutOptions.defaults());
    StorageScanLocator locator =
        new StorageScanLocator(store, KeyTemplate.parse("{writer_id}/{start_offset}{ext}"), pool);

    assertThat(locator.locate("a", TimeRange.ALL))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.span()).isEqualTo(new KafkaSpan("events", 0, 0, 9));
              assertThat(p.startTime()).isEqualTo(1000);
              assertThat(p.endTime()).isEqualTo(1009);
            });
    assertThatThrownBy(() -> locator.locate("b", TimeRange.ALL))
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("b/0.pb");
  }

  @Test
  void listingTheWholeStoreSkipsObjectsThatAreNoPagesButWhoseKeysHoldTheWriterId() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    Pages.store(
        store,
        "snapshots/2025/10/01/user-1/x-0.pb",
        "user-1",
        0,
        0,
        9,
        PageFormat.PROTOBUF,
        Compression.NONE);
    Pages.store(
        store,
        "snapshots/2025/10/01/user-12/x-0.pb",
        "user-12",
        0,
        0,
        9,
        PageFormat.PROTOBUF,
        Compression.NONE);
    byte[] notes = "not a page".getBytes(StandardCharsets.UTF_8);
    store.put(
        "snapshots/notes-about-user-1.txt",
        new ByteArrayInputStream(notes),
        notes.length,
        PutOptions.defaults());
    // The date comes first: no literal writer prefix, so the whole store is listed.
    StorageScanLocator locator =
        new StorageScanLocator(
            store, KeyTemplate.parse("snapshots/{date}/{writer_id}/x-{start_offset}{ext}"), pool);

    assertThat(locator.locate("user-1", TimeRange.ALL))
        .extracting(PageRef::key)
        .containsExactly("snapshots/2025/10/01/user-1/x-0.pb");
  }

  /**
   * A writer named like another segment of the default template's keys (a month, a day, a year):
   * listing the whole store meets every page of that month, other writers' corrupt ones included.
   * Only a key whose writer segment is the id is the writer's own (a corrupt one fails its replay);
   * the others are skipped with a WARN when they are no pages.
   */
  @Test
  void aCorruptPageOfAnotherWriterDoesNotFailTheReplayOfAWriterNamedLikeAMonth() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    Pages.store(
        store,
        "snapshots/2025/10/01/10/x-0.pb",
        "10",
        0,
        0,
        9,
        PageFormat.PROTOBUF,
        Compression.NONE);
    byte[] junk = "not a page".getBytes(StandardCharsets.UTF_8);
    store.put(
        "snapshots/2025/10/02/b/x-0.pb",
        new ByteArrayInputStream(junk),
        junk.length,
        PutOptions.defaults());
    StorageScanLocator locator =
        new StorageScanLocator(store, KeyTemplate.parse(KeyTemplate.DEFAULT), pool);

    assertThat(locator.locate("10", TimeRange.ALL))
        .extracting(PageRef::key)
        .containsExactly("snapshots/2025/10/01/10/x-0.pb");
    assertThatThrownBy(() -> locator.locate("b", TimeRange.ALL))
        .as("the writer's own corrupt page still fails its replay")
        .isInstanceOf(CorruptPageException.class)
        .hasMessageContaining("snapshots/2025/10/02/b/x-0.pb");
  }

  @Test
  void aKeyIsTheWritersOwnWhenItsWriterSegmentIsTheId() {
    java.util.OptionalInt fourth = java.util.OptionalInt.of(4);
    assertThat(StorageScanLocator.isWritersOwnKey("s/2025/10/01/10/x.pb", "10", fourth)).isTrue();
    assertThat(StorageScanLocator.isWritersOwnKey("s/2025/10/01/b/x.pb", "10", fourth)).isFalse();
    assertThat(StorageScanLocator.isWritersOwnKey("s/2025/10/01/100/x.pb", "10", fourth)).isFalse();
    assertThat(StorageScanLocator.isWritersOwnKey("s/2025/10/01/10", "10", fourth)).isTrue();
    assertThat(StorageScanLocator.isWritersOwnKey("s/2025/10", "10", fourth)).isFalse();
    assertThat(StorageScanLocator.isWritersOwnKey("10/x.pb", "10", java.util.OptionalInt.of(0)))
        .isTrue();
    // No writer segment in the template: any segment that is the id.
    assertThat(
            StorageScanLocator.isWritersOwnKey("s/10/b-x.pb", "10", java.util.OptionalInt.empty()))
        .isTrue();
  }

  @Test
  void aPageStoredWithItsFirstAndLastEventsTimesInvertedIsFoundByATimeRangeItOverlaps() {
    FilesystemObjectStore store = new FilesystemObjectStore(dir);
    // Before 2026-11-27 a page's times were its first and last events': 5000 then 4000 gave an
    // inverted range. Written here as such a page was (NDJSON, so the times can be edited).
    String text =
        new String(
            Pages.encode(
                "w",
                0,
                Pages.kafkaTags(0, 0, 1),
                List.of(Pages.event("e1", 5_000, 1), Pages.event("e2", 4_000, 2)),
                PageFormat.NDJSON,
                Compression.NONE),
            StandardCharsets.UTF_8);
    String inverted =
        text.replaceFirst("\"start_time\":\\s*4000", "\"start_time\":5000")
            .replaceFirst("\"end_time\":\\s*5000", "\"end_time\":4000");
    assertThat(inverted).isNotEqualTo(text);
    byte[] bytes = inverted.getBytes(StandardCharsets.UTF_8);
    store.put("w/0.ndjson", new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
    StorageScanLocator locator =
        new StorageScanLocator(store, KeyTemplate.parse("{writer_id}/{sequence}.ndjson"), pool);

    assertThat(locator.locate("w", new TimeRange(4_500, 6_000)))
        .singleElement()
        .satisfies(
            page -> {
              assertThat(page.key()).isEqualTo("w/0.ndjson");
              assertThat(page.startTime()).isEqualTo(4_000);
              assertThat(page.endTime()).isEqualTo(5_000);
            });
  }
}
