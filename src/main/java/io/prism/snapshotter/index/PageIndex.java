package io.prism.snapshotter.index;

import java.util.List;

/**
 * The page index (the RFC's index slot): where a page's metadata is published once the page is
 * durable, so pages can be found by writer and time without listing storage.
 *
 * <p>Every backend keeps the same semantics, checked by one contract test:
 *
 * <ul>
 *   <li>{@link #publish} is idempotent per page key: publishing a page again (a re-delivery, a
 *       reindex) leaves one entry for it.
 *   <li>{@link #entries} returns a writer's entries whose time range overlaps the query's, ordered
 *       by start time, then page sequence, then page key.
 *   <li>{@link #entryPage} walks one writer's entries in that order, a bounded batch at a time,
 *       whatever the writer's size.
 *   <li>{@link #writers} pages through writer ids in ascending UTF-8 byte order.
 *   <li>{@link #remove} takes entries out by page key; removing what is not there is no error.
 *   <li>{@link #entriesFromOffset} returns a topic-partition's entries whose last offset is at or
 *       after the given one, by last offset, then page key.
 * </ul>
 *
 * <p>Failures are {@link IndexException}s (unchecked). Implementations are safe for concurrent use.
 * This package knows nothing of Kafka Connect.
 */
public interface PageIndex extends AutoCloseable {
  /** Publishes entries of durable pages, as one batch where the backend allows. */
  void publish(List<IndexEntry> entries);

  /** The writer's entries that overlap {@code range}, by start time, then sequence, then key. */
  List<IndexEntry> entries(String writerId, TimeRange range);

  /**
   * Whether the index holds an entry of {@code page}'s key for its writer. Asks for the writer's
   * entries over the page's own time range ({@link TimeRange#ofPage}), so the answer holds the few
   * pages that share that time, never the writer's whole history (which can be millions of pages):
   * how reindex, pages verify and compaction ask about one page.
   *
   * <p>{@code page}'s times must be those its entry was made from: the page's metadata times,
   * ordered ({@code PageCommitter.entryFromPage}), or the entry itself. Pages stored before
   * 2026-11-27 carry their first and last event's times rather than their earliest and latest, but
   * their entries were made from those same two times, so no wider range is needed to find them.
   */
  default boolean holds(IndexEntry page) {
    for (IndexEntry indexed :
        entries(page.writerId(), TimeRange.ofPage(page.startTime(), page.endTime()))) {
      if (indexed.pageKey().equals(page.pageKey())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Up to {@code limit} of the writer's entries after {@code from} ({@link EntryCursor#FIRST}: from
   * the first), in the order of {@link #entries}; {@link EntryPage#next()} continues. A walk over a
   * writer of any size in memory bounded by {@code limit} (plus, on Redis, the entries that share
   * one start time): each batch reads about {@code limit} entries from the backend, never the
   * writer's history before it. Entries removed behind the walk (a repair) do not shift it; entries
   * published meanwhile may or may not be met. Every backend implements it, wrappers forward it.
   *
   * @throws IllegalArgumentException {@code limit} below 1
   */
  EntryPage entryPage(String writerId, EntryCursor from, int limit);

  /**
   * Up to {@code limit} writer ids greater than {@code after} ({@code null}: from the first), in
   * ascending UTF-8 byte order; {@link WriterPage#next()} continues the listing.
   */
  WriterPage writers(String after, int limit);

  /**
   * Up to {@code limit} entries of pages that came from this topic-partition and end at or after
   * {@code fromOffset} (their last offset), ordered by last offset, then page key: over the limit,
   * those that end first. A sink task asks this when it is assigned a partition: records Kafka
   * re-delivers that are already in an indexed page are then recognised and not stored again.
   */
  List<IndexEntry> entriesFromOffset(String topic, int partition, long fromOffset, int limit);

  /**
   * Removes the entries of these pages, matched by page key (a backend may use the entry's other
   * fields to find it, as Redis does with writer and start time); pages the index does not hold are
   * ignored. Once this returns, {@link #entries} no longer returns them. Compaction calls it after
   * publishing the merged page that holds their events.
   */
  void remove(List<IndexEntry> entries);

  /** Removes the entries of pages that ended before {@code cutoffMillis}. */
  void expireBefore(long cutoffMillis);

  /**
   * Entries accepted but not yet taken by every backend: waiting (or being retried) in the async
   * publish queue and in the secondaries' queues, summed over the queues. 0 for a plain backend.
   */
  default int queuedEntries() {
    return 0;
  }

  /**
   * Entries accepted but given up without reaching some backend since this index opened: those a
   * secondary's full queue refused (its outage outlasted the queue), and those a queue (async
   * publish, secondary) still held when it closed after its drain timeout; {@code reindex} restores
   * them. 0 for a plain backend; never decreases, and still answers after {@link #close}.
   */
  default long droppedEntries() {
    return 0;
  }

  /**
   * One cheap call that fails with an {@link IndexException} when the index cannot be reached now:
   * how the health checks tell an idle index's state, with no entry to publish. Writes nothing; by
   * default asks for one writer id. A wrapper (queue, fan-out) pings its primary.
   */
  default void ping() {
    writers(null, 1);
  }

  /**
   * A short description for logs and health, e.g. "clickhouse http://host:8123 db.table"; never a
   * secret.
   */
  String describe();

  @Override
  default void close() {}

  /** {@code index.backend=none}: pages are stored but not indexed. */
  static PageIndex none() {
    return NoPageIndex.INSTANCE;
  }
}
