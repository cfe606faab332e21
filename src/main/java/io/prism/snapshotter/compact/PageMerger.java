package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.page.EncodedPage;
import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.page.EventSizes;
import io.prism.snapshotter.page.Page;
import io.prism.snapshotter.page.PageEncoder;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.page.PageSpec;
import io.prism.snapshotter.page.RecordTimes;
import io.prism.snapshotter.page.SeenIds;
import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.sink.PageCommitter;
import io.prism.snapshotter.storage.NoSuchObjectException;
import io.prism.snapshotter.storage.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a group of pages and encodes their events as one page: in the group's order (the writer's),
 * each event once (a repeated id is a repeat unless both times are their records' own and differ:
 * {@link RecordTimes}), in the configured format and compression. The merged page carries the first
 * source's tags, the Kafka span of the whole group, and the compaction tags ({@link
 * CompactedKeys}).
 */
final class PageMerger {
  private final ObjectStore store;
  private final CompactionSettings settings;
  private final long maxDecodedBytes;
  private final long maxEvents;
  private final PageReader reader = new PageReader();
  private final PageEncoder encoder = new PageEncoder();

  /**
   * @param maxDecodedBytes most bytes of events one merge holds ({@link
   *     CompactionPlanner#MAX_PAGE_BYTES}), counted from the pages as they are decoded
   */
  PageMerger(ObjectStore store, CompactionSettings settings, long maxDecodedBytes) {
    this(store, settings, maxDecodedBytes, CompactionPlanner.MAX_PAGE_EVENTS);
  }

  /**
   * @param maxEvents most events one merged page holds ({@link CompactionPlanner#MAX_PAGE_EVENTS},
   *     what page readers accept), counted from the pages as they are decoded
   */
  PageMerger(ObjectStore store, CompactionSettings settings, long maxDecodedBytes, long maxEvents) {
    this.store = store;
    this.settings = settings;
    this.maxDecodedBytes = maxDecodedBytes;
    this.maxEvents = maxEvents;
  }

  /**
   * The merged page of the longest prefix of {@code sources} (all of {@code writerId}, in the
   * writer's order) whose decoded events fit in {@code maxDecodedBytes}, number at most {@code
   * maxEvents} and, encoded in either format, surely fit in a page readers accept ({@link
   * #encodedBytesBound}): the planner cut the group by the index's {@code page_size_bytes} and
   * {@code event_count}, which a foreign writer may understate, so the real bytes and events decide
   * here. The merged page's {@link MergedPage#sourceKeys()} say which prefix it holds; null when
   * fewer than two sources fit (a merge of one page is none). Memory stays within {@code
   * maxDecodedBytes} plus the one page that did not fit (itself bounded by {@link
   * io.prism.snapshotter.page.PageLimits}), whatever the index says.
   *
   * <p>The cut depends only on the pages' contents, so a run after a crash cuts where this one did
   * and finds its merged page under the same key.
   */
  MergedPage merge(String writerId, List<IndexEntry> sources)
      throws IOException, PageFormatException {
    List<Event> events = new ArrayList<>();
    SeenIds seen = new SeenIds();
    Map<String, String> tags = null;
    String times = RecordTimes.RECORD;
    long repeats = 0;
    long decodedBytes = 0;
    long decodedEvents = 0;
    long encodedBound = 0;
    int merged = 0;
    for (IndexEntry source : sources) {
      Page page;
      try (InputStream in = store.get(source.pageKey())) {
        page = reader.read(in, source.pageKey());
      } catch (NoSuchObjectException gone) {
        throw new SourceGone(source, gone);
      } catch (PageFormatException e) {
        // The reader's message says what is wrong, not where: name the page for the operator.
        throw new PageFormatException(
            "page " + source.pageKey() + " is not readable: " + e.getMessage(), e);
      }
      if (!page.metadata().writerId().equals(writerId)) {
        throw new PageFormatException(
            "page "
                + source.pageKey()
                + " belongs to writer "
                + page.metadata().writerId()
                + ", not "
                + writerId);
      }
      long pageBytes = decodedBytes(page);
      long pageBound = encodedBytesBound(page);
      if (decodedBytes + pageBytes > maxDecodedBytes
          || decodedEvents + page.events().size() > maxEvents
          || encodedBound + pageBound > EventSizes.MAX_PAGE_EVENTS_BYTES) {
        break; // this page and the rest are planned again, from this page on
      }
      decodedBytes += pageBytes;
      encodedBound += pageBound;
      decodedEvents += page.events().size();
      merged++;
      if (tags == null) {
        tags = new LinkedHashMap<>(page.metadata().tags());
      }
      // A repeated id is a repeat unless the times say it is another record's (a topic created
      // again), by the rules replay applies (RecordTimes).
      RecordTimes sourceTimes = RecordTimes.of(page.metadata());
      for (Event event : page.events()) {
        Long time = sourceTimes.identifyingTime(event);
        if (seen.contains(event.eventId(), time)) {
          repeats++;
        } else {
          seen.add(event.eventId(), time);
          events.add(event);
        }
      }
      times = mergedTimes(times, page.metadata().tags().get(RecordTimes.TAG));
    }
    if (merged < 2) {
      return null;
    }
    sources = sources.subList(0, merged);
    List<String> sourceKeys = sources.stream().map(IndexEntry::pageKey).toList();
    String id = CompactedKeys.id(sourceKeys);
    IndexEntry first = sources.get(0);
    long lastOffset = sources.stream().mapToLong(IndexEntry::lastOffset).max().orElseThrow();
    tags.put(PageCommitter.TAG_TOPIC, first.topic());
    tags.put(PageCommitter.TAG_PARTITION, Integer.toString(first.partition()));
    tags.put(PageCommitter.TAG_FIRST_OFFSET, Long.toString(first.firstOffset()));
    tags.put(PageCommitter.TAG_LAST_OFFSET, Long.toString(lastOffset));
    if (times == null) {
      tags.remove(RecordTimes.TAG);
    } else {
      tags.put(RecordTimes.TAG, times);
    }
    tags.put(CompactedKeys.ID_TAG, id);
    tags.put(CompactedKeys.SOURCES_TAG, CompactedKeys.joinSources(sourceKeys));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EncodedPage encoded =
        encoder.encode(
            settings.format(),
            settings.compression(),
            settings.compressionLevel(),
            new PageSpec(writerId, CompactedKeys.sequenceFor(id), tags),
            events,
            out);
    String key = CompactedKeys.keyFor(first.pageKey(), id, settings.extension());
    IndexEntry entry =
        PageCommitter.entryFromPage(key, encoded.metadata(), encoded.storedSizeBytes());
    return new MergedPage(id, key, out.toByteArray(), entry, sourceKeys, repeats);
  }

  /**
   * The bytes a decoded page's events hold: payloads, ids and attributes (characters counted as
   * bytes), what a merge keeps in memory, measured rather than taken from any size the page or its
   * index entry claims.
   */
  static long decodedBytes(Page page) {
    long bytes = 0;
    for (Event event : page.events()) {
      bytes += event.payloadLength() + event.eventId().length();
      for (Map.Entry<String, String> attribute : event.attributes().entrySet()) {
        bytes += attribute.getKey().length() + attribute.getValue().length();
      }
    }
    return bytes;
  }

  /**
   * At least the bytes a decoded page's events take encoded in either format ({@link
   * EventSizes#upperBound}): a merged page in NDJSON takes more than its protobuf sources did, and
   * readers accept at most {@link EventSizes#MAX_PAGE_EVENTS_BYTES} of events in a page.
   */
  static long encodedBytesBound(Page page) {
    long bytes = 0;
    for (Event event : page.events()) {
      bytes += EventSizes.upperBound(event);
    }
    return bytes;
  }

  /**
   * The merged page's {@link RecordTimes#TAG} so far and a source's: record times only when every
   * source has them; none (unknown) when a source has no tag.
   */
  private static String mergedTimes(String merged, String source) {
    if (merged == null || source == null) {
      return null;
    }
    return merged.equals(RecordTimes.RECORD) && source.equals(RecordTimes.RECORD)
        ? RecordTimes.RECORD
        : RecordTimes.SOME_CLOCK;
  }

  /** A source page is not in storage: the {@link Compactor} tells a dangling entry from a race. */
  static final class SourceGone extends NoSuchObjectException {
    final IndexEntry source;

    SourceGone(IndexEntry source, NoSuchObjectException gone) {
      super(gone.getMessage(), gone);
      this.source = source;
    }
  }
}
