package io.prism.snapshotter.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.page.SeenIds;
import io.prism.snapshotter.storage.FilesystemObjectStore;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.PutOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic deleted and created again under the same store prefix: its offsets, hence its default
 * event ids, start again, and its pages overlap the old topic's. Replay shows both topics' events,
 * while a record stored twice (a page re-formed after a crash) still comes out once.
 */
class ReplayRecreatedTopicTest {
  static final long OLD = 1_000;
  static final long NEW = 90_000;

  @TempDir Path dir;

  private FilesystemObjectStore store;

  /** The writer's events as replay hands them out: "<payload>@<time>". */
  private List<String> replay(long[] dropped) {
    List<String> out = new ArrayList<>();
    try (Replayer replayer =
            new Replayer(
                pool ->
                    new StorageScanLocator(
                        store,
                        KeyTemplate.parse("{writer_id}/{timestamp}_{start_offset}{ext}"),
                        pool),
                new StorePageSource(store),
                ReplaySettings.DEFAULT,
                store);
        ReplayStream events = replayer.replay("w", EventFilter.ALL)) {
      while (events.hasNext()) {
        Event event = events.next().event();
        out.add(
            new String(event.payload(), StandardCharsets.UTF_8) + "@" + event.timestampMillis());
      }
      dropped[0] = events.progress().repeatsDropped();
    }
    return out;
  }

  /**
   * Stores writer w's page of partition 0, offsets [first, last], with default ids, times {@code
   * base + offset} and payloads {@code <name>-<offset>}, tagged {@code timesTag} (null: no tag).
   */
  private void page(String name, long base, long first, long last, String timesTag) {
    List<Event> events = new ArrayList<>();
    for (long o = first; o <= last; o++) {
      events.add(
          new Event(
              "events-0-" + o,
              base + o,
              (name + "-" + o).getBytes(StandardCharsets.UTF_8),
              Map.of()));
    }
    store(events, first, last, timesTag);
  }

  private void store(List<Event> events, long first, long last, String timesTag) {
    Map<String, String> tags = new HashMap<>(Pages.kafkaTags(0, first, last));
    if (timesTag != null) {
      tags.put(RecordTimes.TAG, timesTag);
    }
    byte[] bytes = Pages.encode("w", first, tags, events, PageFormat.PROTOBUF, Compression.NONE);
    String key = "w/" + events.get(0).timestampMillis() + "_" + first + ".pb";
    store.put(key, new ByteArrayInputStream(bytes), bytes.length, PutOptions.defaults());
  }

  private static List<String> expected(String name, long base, long first, long last) {
    List<String> out = new ArrayList<>();
    for (long o = first; o <= last; o++) {
      out.add(name + "-" + o + "@" + (base + o));
    }
    return out;
  }

  @Test
  void bothTopicsEventsComeOutAndARecordStoredTwiceStillOnce() {
    store = new FilesystemObjectStore(dir);
    page("old", OLD, 0, 4, RecordTimes.RECORD);
    page("old", OLD, 5, 9, RecordTimes.RECORD);
    // The new topic: a crash re-formed its pages, so its records 3..6 are stored twice.
    page("new", NEW, 0, 6, RecordTimes.RECORD);
    page("new", NEW, 3, 9, RecordTimes.RECORD);

    long[] dropped = new long[1];
    List<String> out = replay(dropped);

    assertThat(out)
        .containsExactlyInAnyOrderElementsOf(
            concat(expected("old", OLD, 0, 9), expected("new", NEW, 0, 9)));
    assertThat(dropped[0]).as("the new topic's 3..6, stored twice").isEqualTo(4);
  }

  @Test
  void pagesWhoseTimesMayBeTheTasksClockAreStillToldByIdAlone() {
    // Records without timestamps: each delivery got the task's clock, so a record stored twice
    // has two times. Their pages are not tagged "record": the id decides.
    store = new FilesystemObjectStore(dir);
    page("c", OLD, 0, 6, RecordTimes.SOME_CLOCK);
    page("c", NEW, 3, 9, RecordTimes.SOME_CLOCK);

    long[] dropped = new long[1];
    List<String> out = replay(dropped);

    assertThat(out).hasSize(10);
    assertThat(dropped[0]).isEqualTo(4);
  }

  @Test
  void pagesStoredBeforeTheTagAreToldByIdAlone() {
    // Nothing says whether their times are their records': no repeat may show twice, so the new
    // topic's events with old ids are dropped there, as before (the README: a new prefix).
    store = new FilesystemObjectStore(dir);
    page("old", OLD, 0, 4, null);
    page("new", NEW, 0, 4, RecordTimes.RECORD);

    long[] dropped = new long[1];
    assertThat(replay(dropped)).containsExactlyElementsOf(expected("old", OLD, 0, 4));
    assertThat(dropped[0]).isEqualTo(5);
  }

  @Test
  void aProducersEventIdRepeatedByARetriedPublishIsARepeatWhateverItsTime() {
    // A retried "maybe stored" publish is a new record, with a new offset and time, and the id the
    // front door gave the first attempt.
    store = new FilesystemObjectStore(dir);
    store(
        List.of(
            new Event("uuid-1", OLD, "first".getBytes(StandardCharsets.UTF_8), Map.of()),
            new Event("uuid-1", OLD + 5, "retry".getBytes(StandardCharsets.UTF_8), Map.of())),
        0,
        1,
        RecordTimes.RECORD);

    long[] dropped = new long[1];
    assertThat(replay(dropped)).containsExactly("first@" + OLD);
    assertThat(dropped[0]).isEqualTo(1);
  }

  @Test
  void anIdSeenWithSeveralTimesKnowsEachOfThem() {
    // A merged page holding both topics' records of one offset, then one of its sources again.
    SeenIds seen = new SeenIds(new HashMap<>());
    seen.add("events-0-1", OLD);
    seen.add("events-0-1", NEW);

    assertThat(seen.contains("events-0-1", OLD)).isTrue();
    assertThat(seen.contains("events-0-1", NEW)).isTrue();
    assertThat(seen.contains("events-0-1", 7L)).isFalse();
    assertThat(seen.contains("events-0-1", null)).as("a time that tells nothing").isTrue();
    seen.add("events-0-1", null);
    assertThat(seen.contains("events-0-1", 7L)).as("seen without a time: any").isTrue();
    assertThat(seen.contains("events-0-2", OLD)).isFalse();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
