package io.prism.snapshotter.sink;

import io.prism.snapshotter.index.EntryTtl;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.page.PageFormatException;
import io.prism.snapshotter.page.PageMetadata;
import io.prism.snapshotter.page.PageReader;
import io.prism.snapshotter.storage.ListPage;
import io.prism.snapshotter.storage.ObjectInfo;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RFC's reconciliation job: lists storage, reads each page's metadata and publishes the entries
 * the index lacks. Pages carry their Kafka coordinates in their tags, so a full entry comes from
 * the page alone. Idempotent: a second run finds nothing to add.
 *
 * <p>Compaction: a merged page is indexed like any other; a page that a merged page in storage
 * lists as a source ({@link CompactedKeys#sourcesOf}) is not indexed again, since its events are in
 * the merged page and an interrupted compaction run deletes it when run again.
 *
 * <p>Only the head of each page is read ({@link #HEAD_BYTES}, a ranged read), since the metadata
 * comes first in both formats, compressed or not; a page whose metadata does not fit there is read
 * whole.
 */
public final class Reindexer {
  private static final Logger log = LoggerFactory.getLogger(Reindexer.class);
  static final long HEAD_BYTES = 64 * 1024;
  static final int PUBLISH_BATCH = 500;

  /** Told of progress after each page. */
  @FunctionalInterface
  public interface Progress {
    void update(long done, long total);
  }

  /**
   * What a run found.
   *
   * @param listed objects under the prefix
   * @param skipped objects last modified before {@code since}
   * @param expired pages past {@code index.ttl.days} (ended longer ago than the TTL): not
   *     published, since the index would drop them at once (Redis refuses such an entry; the others
   *     delete it at their next expiry), and a report of them as added would say so on every run
   * @param alreadyIndexed pages the index had
   * @param added pages published now
   * @param unreadable objects that are not readable pages (each logged)
   * @param superseded pages not indexed because a merged page holds their events (see compaction)
   */
  public record Result(
      long listed,
      long skipped,
      long expired,
      long alreadyIndexed,
      long added,
      long unreadable,
      long superseded) {}

  private final ObjectStore store;
  private final PageIndex index;
  private final EntryTtl ttl;
  private final Clock clock;
  private final PageReader reader = new PageReader();

  /** A reindexer for an index that keeps its entries ({@code index.ttl.days=0}). */
  public Reindexer(ObjectStore store, PageIndex index) {
    this(store, index, EntryTtl.KEEP, Clock.systemUTC());
  }

  /**
   * A reindexer for an index whose entries expire by {@code ttl} ({@code index.ttl.days}), as
   * {@code clock} tells the time.
   */
  public Reindexer(ObjectStore store, PageIndex index, EntryTtl ttl, Clock clock) {
    this.store = store;
    this.index = index;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Reindexes pages under {@code prefix} last modified at or after {@code sinceMillis}. */
  public Result run(String prefix, long sinceMillis, Progress progress) {
    List<ObjectInfo> objects = listAll(prefix);
    Map<String, PageMetadata> mergedPages = new HashMap<>();
    Set<String> supersededKeys = supersededKeys(objects, mergedPages);
    long superseded = 0;
    long skipped = 0;
    long expired = 0;
    long already = 0;
    long unreadable = 0;
    long added = 0;
    List<IndexEntry> missing = new ArrayList<>(PUBLISH_BATCH);
    long done = 0;
    long now = clock.millis();
    for (ObjectInfo object : objects) {
      done++;
      if (object.lastModifiedMillis() < sinceMillis) {
        skipped++;
      } else if (supersededKeys.contains(object.key())) {
        superseded++;
      } else {
        PageMetadata metadata =
            mergedPages.containsKey(object.key())
                ? mergedPages.get(object.key())
                : readMetadata(object);
        if (metadata == null) {
          unreadable++;
        } else {
          IndexEntry entry = PageCommitter.entryFromPage(object.key(), metadata, object.size());
          // Past the TTL is decided before the index is asked: the same answer on every run,
          // whether the index still holds the entry or not. The index is asked over the page's
          // own time range: never the writer's whole history, which can be millions of pages; one
          // round trip per page, as many as the metadata reads take.
          if (ttl.expired(entry, now)) {
            expired++;
          } else if (index.holds(entry)) {
            already++;
          } else {
            missing.add(entry);
            if (missing.size() == PUBLISH_BATCH) {
              added += publish(missing);
            }
          }
        }
      }
      progress.update(done, objects.size());
    }
    added += publish(missing);
    Result result =
        new Result(objects.size(), skipped, expired, already, added, unreadable, superseded);
    log.info("Reindex of {} into {}: {}", store.describe(), index.describe(), result);
    return result;
  }

  /**
   * The keys that listed merged pages replace, reading the metadata of each object whose key has
   * the merged form (kept in {@code mergedPages} so it is read once).
   */
  private Set<String> supersededKeys(
      List<ObjectInfo> objects, Map<String, PageMetadata> mergedPages) {
    Set<String> superseded = new HashSet<>();
    for (ObjectInfo object : objects) {
      if (CompactedKeys.looksMerged(object.key())) {
        PageMetadata metadata = readMetadata(object);
        mergedPages.put(object.key(), metadata);
        if (metadata != null && CompactedKeys.idOf(metadata) != null) {
          superseded.addAll(CompactedKeys.sourcesOf(metadata));
        }
      }
    }
    return superseded;
  }

  private List<ObjectInfo> listAll(String prefix) {
    List<ObjectInfo> objects = new ArrayList<>();
    String token = null;
    do {
      ListPage page = store.list(prefix, ObjectStore.MAX_KEYS_PER_PAGE, token);
      objects.addAll(page.objects());
      token = page.nextContinuationToken();
    } while (token != null);
    return objects;
  }

  private long publish(List<IndexEntry> entries) {
    int count = entries.size();
    if (count > 0) {
      index.publish(List.copyOf(entries));
      entries.clear();
    }
    return count;
  }

  /**
   * The page's metadata from a ranged read of its head, else from the whole page; null if not a
   * page.
   */
  private PageMetadata readMetadata(ObjectInfo object) {
    String key = object.key();
    try {
      if (object.size() > HEAD_BYTES) {
        try (InputStream head = store.get(key, 0, HEAD_BYTES)) {
          return reader.readMetadata(head, key);
        } catch (PageFormatException | IOException truncated) {
          log.debug(
              "Metadata of {} is not within its first {} bytes; reading it whole", key, HEAD_BYTES);
        }
      }
      try (InputStream whole = store.get(key)) {
        return reader.readMetadata(whole, key);
      }
    } catch (PageFormatException | IOException e) {
      log.warn("Skipping {}: not a readable page ({})", key, e.getMessage());
      return null;
    } catch (StorageException e) {
      if (e.retriable()) {
        throw e;
      }
      log.warn("Skipping {}: {}", key, e.getMessage());
      return null;
    }
  }
}
