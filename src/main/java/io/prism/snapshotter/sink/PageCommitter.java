package io.prism.snapshotter.sink;

import io.prism.snapshotter.buffer.PageBuffer;
import io.prism.snapshotter.buffer.PageSink;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.CompressionLevel;
import io.prism.snapshotter.page.EncodedPage;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.PageCursor;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.storage.KeyTemplate;
import io.prism.snapshotter.storage.ObjectAlreadyExistsException;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.PutOptions;
import io.prism.snapshotter.storage.StorageBackend;
import io.prism.snapshotter.util.Printable;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a closed page durable: encodes it, stores it under its key with a create-only write, then
 * publishes its index entry.
 *
 * <p>A page's key derives from its writer, topic, partition and first offset, so a page that is
 * written again after a crash or a rebalance lands on the same key. The store refuses to overwrite
 * it; the refusal is then read as follows. The stored copy holds every event of this writer in this
 * partition from the same first offset up to its own last offset ({@link #LAST_OFFSET}). If that
 * reaches our last offset, our page is already durable (a re-delivery); its entry is published
 * again, harmlessly. If it stops earlier (the earlier page closed sooner, e.g. on age), our events
 * up to there are already stored and only the rest is written, as a page of its own. No page is
 * ever overwritten, so a zombie task that lost its partitions cannot replace a newer page, and no
 * event is stored twice by it. A stored page whose time range does not hold our records' times is
 * not an earlier copy but another topic's with the same name (deleted and created again, its
 * offsets started again): the write fails rather than skip our records ({@link #checkEarlierCopy}).
 *
 * <p>Each page is tagged {@link RecordTimes#TAG}: whether all its events' times are their records'
 * own, which is what lets replay and compaction tell a repeat from another record with its id.
 *
 * <p>Indexing: the entry is published only after the page is durable, and {@link #write} returns
 * only after {@link PageIndex#publish} did. With {@code index.publish.mode=sync} that means the
 * entry is in the index, so the partition's offset never passes an unindexed page; when the index
 * is down, publish throws, the page stays queued, and the retry finds the stored copy and publishes
 * its entry again (harmless: publishing is idempotent). With {@code async} the index handed in is a
 * {@link io.prism.snapshotter.index.QueuedPageIndex}: publish only queues the entry, and throws
 * (holding the offset back the same way) only when that bounded queue is full.
 */
public final class PageCommitter implements PageSink {
  private static final Logger log = LoggerFactory.getLogger(PageCommitter.class);

  /** User metadata on every stored page: the Kafka offsets it covers, and its event count. */
  public static final String FIRST_OFFSET = "prism-first-offset";

  public static final String LAST_OFFSET = "prism-last-offset";
  public static final String EVENT_COUNT = "prism-event-count";

  /** Page tags naming the Kafka coordinates, so reindex can rebuild entries from pages alone. */
  public static final String TAG_TOPIC = "kafka.topic";

  public static final String TAG_PARTITION = "kafka.partition";
  public static final String TAG_FIRST_OFFSET = "kafka.offset.first";
  public static final String TAG_LAST_OFFSET = "kafka.offset.last";

  private final PageFormat format;
  private final Compression compression;
  private final CompressionLevel level;
  private final Map<String, String> userTags;
  private final PageKeys keys;
  private final ObjectStore store;
  private final PageIndex index;
  private final PageEncoder encoder = new PageEncoder();
  private final PageReader reader = new PageReader();
  private final ReusableBuffer encoded = new ReusableBuffer();

  /**
   * A committer that compresses at the codec's default level, for a store that takes every key
   * {@link io.prism.snapshotter.storage.ObjectKeys} allows (not Azure's: {@link
   * StorageBackend#keyProblem}).
   */
  public PageCommitter(
      PageFormat format,
      Compression compression,
      Map<String, String> userTags,
      KeyTemplate keys,
      ObjectStore store,
      PageIndex index) {
    this(
        format,
        compression,
        CompressionLevel.CODEC_DEFAULT,
        userTags,
        keys,
        StorageBackend.FILESYSTEM,
        store,
        index);
  }

  /**
   * @param backend the store's backend, whose own key rules a page's key must meet too
   * @throws IllegalArgumentException if {@code compression} does not accept {@code level}
   */
  public PageCommitter(
      PageFormat format,
      Compression compression,
      CompressionLevel level,
      Map<String, String> userTags,
      KeyTemplate keys,
      StorageBackend backend,
      ObjectStore store,
      PageIndex index) {
    level.resolve(compression); // refuse a bad level now, not at the first page
    this.format = format;
    this.compression = compression;
    this.level = level;
    this.userTags = Map.copyOf(userTags);
    this.keys = new PageKeys(keys, format, compression, backend);
    this.store = store;
    this.index = index;
  }

  @Override
  public void write(PageBuffer page) throws Exception {
    int from = 0;
    while (from < page.eventCount()) {
      int storedThrough = writeFrom(page, from);
      if (storedThrough < 0) {
        return;
      }
      from = storedThrough;
    }
  }

  /**
   * Writes the page's events from index {@code from} on. Returns -1 when they are all durable, else
   * the index of the first event that an earlier copy of the page did not hold.
   */
  private int writeFrom(PageBuffer page, int from) throws Exception {
    int eventCount = page.eventCount() - from;
    long firstOffset = page.offsetAt(from);
    long lastOffset = page.lastOffset();
    String topic = page.partition().topic();
    int partition = page.partition().partition();
    String key = keyOf(page, from);

    encoded.reset();
    EncodedPage result =
        encoder.encode(
            format,
            compression,
            level,
            new PageSpec(
                page.writerId(),
                firstOffset,
                tags(topic, partition, firstOffset, lastOffset, page.allRecordTimesFrom(from))),
            page.events(),
            from,
            encoded);
    try {
      store.put(
          key,
          encoded.asInputStream(),
          encoded.size(),
          PutOptions.builder()
              .contentType(format.contentType())
              .metadata(FIRST_OFFSET, Long.toString(firstOffset))
              .metadata(LAST_OFFSET, Long.toString(lastOffset))
              .metadata(EVENT_COUNT, Integer.toString(eventCount))
              .createOnly(true)
              .build());
    } catch (ObjectAlreadyExistsException exists) {
      return resolveExisting(page, from, key);
    }
    index.publish(
        List.of(
            entryOf(
                key,
                result.metadata(),
                result.storedSizeBytes(),
                topic,
                partition,
                firstOffset,
                lastOffset)));
    log.debug("Stored {} as {} ({} reason)", page, key, page.closeReason());
    return -1;
  }

  /**
   * The key of the page's events from index {@code from} on: their first event's, as for every
   * page. A page's first event was checked to give a valid key when the page opened ({@link
   * PageKeys#asNewPageCheck}), but the rest of a page that an earlier copy holds in part starts at
   * an event no check saw, whose time can make the key invalid ({@code {timestamp}} with more
   * digits, a five-digit {@code {year}}). Such a rest takes the time of the page's first event,
   * whose key was valid with an offset of the same width: failing would stop the task at every
   * restart for a record that starts no page of its own. A re-delivery that forms the same page
   * finds the same key.
   */
  private String keyOf(PageBuffer page, int from) {
    long firstOffset = page.offsetAt(from);
    try {
      return keys.keyOf(page.writerId(), page.partition(), firstOffset, page.timestampAt(from));
    } catch (IllegalArgumentException noValidKey) {
      if (from == 0) {
        throw noValidKey;
      }
      String key = keys.keyOf(page.writerId(), page.partition(), firstOffset, page.timestampAt(0));
      log.warn(
          "{}: its events from offset {} on, which an earlier copy does not hold, are stored under"
              + " the time of the page's first event, {}, as their own first time, {}, gives no"
              + " valid key ({})",
          page,
          firstOffset,
          page.timestampAt(0),
          page.timestampAt(from),
          noValidKey.getMessage());
      return key;
    }
  }

  private int resolveExisting(PageBuffer page, int from, String key) throws Exception {
    PageMetadata stored;
    try (InputStream in = store.get(key)) {
      stored = reader.readMetadata(in, key);
    }
    long storedFirst = Long.parseLong(stored.tags().getOrDefault(TAG_FIRST_OFFSET, "-1"));
    long storedLast = Long.parseLong(stored.tags().getOrDefault(TAG_LAST_OFFSET, "-1"));
    String storedTopic = stored.tags().getOrDefault(TAG_TOPIC, "");
    String storedPartition = stored.tags().getOrDefault(TAG_PARTITION, "");
    // The same first offset in another partition (or topic) is another page: a template without
    // {topic} or {partition} gives both one key when a writer's records span partitions (always
    // with writer.key.source=topic). Taking it for an earlier copy would drop this page's events.
    if (!storedTopic.equals(page.partition().topic())
        || !storedPartition.equals(Integer.toString(page.partition().partition()))) {
      throw new IllegalStateException(
          "Key "
              + Printable.quote(key)
              + " already holds a page of topic "
              + Printable.quote(storedTopic)
              + " partition "
              + storedPartition
              + " (offsets "
              + storedFirst
              + ".."
              + storedLast
              + "), not an earlier copy of "
              + page
              + "; refusing to overwrite it. storage.key.template must give pages of different"
              + " topics and partitions different keys: add {topic} and {partition} to it.");
    }
    if (storedFirst != page.offsetAt(from) || storedLast < storedFirst) {
      throw new IllegalStateException(
          "Key "
              + Printable.quote(key)
              + " already holds a page that is not an earlier copy of "
              + page
              + " (its tags say offsets "
              + storedFirst
              + ".."
              + storedLast
              + "); refusing to overwrite it. Is another connector writing to the same store with the same key template?");
    }
    checkEarlierCopy(page, from, key, stored, storedLast);
    var storedInfo = store.head(key).orElseThrow();
    index.publish(
        List.of(
            entryOf(
                key,
                stored,
                storedInfo.size(),
                page.partition().topic(),
                page.partition().partition(),
                storedFirst,
                storedLast)));
    int next = from;
    while (next < page.eventCount() && page.offsetAt(next) <= storedLast) {
      next++;
    }
    if (next == page.eventCount()) {
      log.info("{} was already stored as {} (re-delivery); nothing to write", page, key);
      return -1;
    }
    log.info(
        "{}: an earlier copy {} holds offsets up to {}; writing the remaining {} events as a new page",
        page,
        key,
        storedLast,
        page.eventCount() - next);
    return next;
  }

  /**
   * The stored page starts at our first offset, but offsets start again when a topic is deleted and
   * created again: is it an earlier copy of our page, or the old topic's page? An earlier copy
   * holds each of our records up to its last offset, and a record's timestamp never changes, so
   * each of those events' times lies within the stored page's time range. An event outside it
   * (counting only events with their record's own time: a record without one got the task's clock,
   * which a re-delivery does not repeat) proves the page is another's, unless the stored page holds
   * that very event after all: pages stored before 2026-11-27 took their range from their first and
   * last events, not their earliest and latest, so it is read to make sure. Skipping our records
   * then would lose them silently, and overwriting the page would lose the old ones: the page
   * fails, naming the key and the likely cause, and the task stops.
   */
  private void checkEarlierCopy(
      PageBuffer page, int from, String key, PageMetadata stored, long storedLast)
      throws Exception {
    long earliest = stored.earliestTime();
    long latest = stored.latestTime();
    int outside = -1;
    int told = 0;
    long oursEarliest = Long.MAX_VALUE;
    long oursLatest = Long.MIN_VALUE;
    for (int i = from; i < page.eventCount() && page.offsetAt(i) <= storedLast; i++) {
      if (!page.hasRecordTime(i)) {
        continue;
      }
      told++;
      long time = page.timestampAt(i);
      oursEarliest = Math.min(oursEarliest, time);
      oursLatest = Math.max(oursLatest, time);
      if (outside < 0 && (time < earliest || time > latest)) {
        outside = i;
      }
    }
    if (told == 0) {
      log.warn(
          "{}: the page at {} starts at the same offset; taken for an earlier copy, as its records"
              + " have no timestamps to tell it from a page of a topic created again",
          page,
          key);
      return;
    }
    if (outside < 0 || storedCopyHolds(key, page.events().eventAt(outside))) {
      return;
    }
    throw new IllegalStateException(
        "Key "
            + Printable.quote(key)
            + " already holds a page of "
            + page.partition()
            + " offsets "
            + page.offsetAt(from)
            + ".."
            + storedLast
            + " with event times "
            + time(earliest)
            + " .. "
            + time(latest)
            + ", but the records of "
            + page
            + " at those offsets have times "
            + time(oursEarliest)
            + " .. "
            + time(oursLatest)
            + " (offset "
            + page.offsetAt(outside)
            + ": "
            + time(page.timestampAt(outside))
            + "): they are other records at the same offsets, not a re-delivery. Likely cause: the"
            + " topic was deleted and created again (or moved to a cluster where its offsets start"
            + " again) and writes under the same store prefix. Give it a new prefix in"
            + " storage.key.template (or a new bucket or path); refusing both to overwrite the"
            + " stored page and to skip these records");
  }

  /** Whether the page at {@code key} holds an event with this one's id and time. */
  private boolean storedCopyHolds(String key, Event event) throws Exception {
    try (InputStream in = store.get(key);
        PageCursor cursor = reader.open(in, key)) {
      while (cursor.hasNext()) {
        Event stored = cursor.next();
        if (stored.eventId().equals(event.eventId())
            && stored.timestampMillis() == event.timestampMillis()) {
          return true;
        }
      }
    }
    return false;
  }

  private static String time(long millis) {
    return millis + " (" + Instant.ofEpochMilli(millis) + ")";
  }

  private Map<String, String> tags(
      String topic, int partition, long firstOffset, long lastOffset, boolean allRecordTimes) {
    Map<String, String> tags = new HashMap<>(userTags.size() + 8);
    tags.putAll(userTags);
    tags.put(TAG_TOPIC, topic);
    tags.put(TAG_PARTITION, Integer.toString(partition));
    tags.put(TAG_FIRST_OFFSET, Long.toString(firstOffset));
    tags.put(TAG_LAST_OFFSET, Long.toString(lastOffset));
    tags.put(RecordTimes.TAG, RecordTimes.tagValue(allRecordTimes));
    return tags;
  }

  /**
   * The index entry of a stored page from the page alone: its metadata, its size in storage, and
   * the Kafka coordinates in its tags (-1 / "" where a page lacks them). What reindex publishes.
   */
  public static IndexEntry entryFromPage(String key, PageMetadata metadata, long storedSize) {
    Map<String, String> tags = metadata.tags();
    return entryOf(
        key,
        metadata,
        storedSize,
        tags.getOrDefault(TAG_TOPIC, ""),
        (int) longTag(tags, TAG_PARTITION),
        longTag(tags, TAG_FIRST_OFFSET),
        longTag(tags, TAG_LAST_OFFSET));
  }

  private static long longTag(Map<String, String> tags, String name) {
    try {
      return Long.parseLong(tags.getOrDefault(name, "-1"));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static IndexEntry entryOf(
      String key,
      PageMetadata metadata,
      long storedSize,
      String topic,
      int partition,
      long firstOffset,
      long lastOffset) {
    return new IndexEntry(
        key,
        metadata.writerId(),
        metadata.pageSequence(),
        metadata.earliestTime(),
        metadata.latestTime(),
        metadata.eventCount(),
        metadata.pageSizeBytes(),
        storedSize,
        metadata.format().configName(),
        metadata.compression().configName(),
        topic,
        partition,
        firstOffset,
        lastOffset);
  }

  /** The encode buffer, kept between pages so the steady state allocates no page-sized arrays. */
  private static final class ReusableBuffer extends ByteArrayOutputStream {
    ReusableBuffer() {
      super(1 << 16);
    }

    InputStream asInputStream() {
      return new java.io.ByteArrayInputStream(buf, 0, count);
    }
  }
}
