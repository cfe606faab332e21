package io.prism.snapshotter.index;

import io.prism.snapshotter.util.Printable;
import io.prism.snapshotter.util.Utf8;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

/**
 * The Redis index (the RFC's {@code keyvalue_basic}). Keys, with prefix {@code P} ({@code snapshot}
 * by default):
 *
 * <ul>
 *   <li>{@code P:{writer_id}:{start_time}:{sequence}:{partition}:{topic}} — the RFC's key ({@code
 *       snapshot:{writer_id}:{timestamp}:{sequence}}) plus the Kafka partition and topic the page
 *       came from, with {@code %} and {@code :} in writer id and topic percent-encoded ({@link
 *       #keySegment}): a sink page's sequence is its first offset, unique only within its
 *       topic-partition, and one writer's pages in two partitions or topics (a writer id from a
 *       header or field, mirrored topics) can start at the same offset and millisecond. The value
 *       is the entry as JSON ({@link IndexEntryJson}); with a TTL it expires {@code index.ttl.days}
 *       after the page ended. Entries written before this suffix keep their key: queries return one
 *       entry per page key.
 *   <li>{@code P.pages:{writer_id}} — a sorted set of the writer's entry keys scored by start time,
 *       so a time-range query is one range read, never {@code KEYS} or {@code SCAN}.
 *   <li>{@code P.span} — per writer, the longest page span (end - start) seen, so pages that
 *       started before a range but reach into it are found without scanning the writer's history.
 *   <li>{@code P.writers} — every writer id, all with score 0, listed in byte order by {@code
 *       ZRANGEBYLEX}.
 *   <li>{@code P.offsets:{partition}:{topic}} — the entry keys of the pages from one Kafka
 *       topic-partition, scored by their last offset ({@link #entriesFromOffset}).
 * </ul>
 *
 * The index's own keys use {@code P.} and entries {@code P:}, so no writer id can make them
 * collide. Entry keys whose value has expired are dropped from the sets as queries meet them and by
 * {@link #expireBefore}.
 *
 * <p>The server (or the primary its sentinels name) is reached through {@link RedisConnection},
 * which also says why a call failed.
 */
public final class RedisPageIndex implements PageIndex {
  private static final Logger log = LoggerFactory.getLogger(RedisPageIndex.class);
  private static final int CHUNK = 5_000;

  private final RedisSettings settings;
  private final RedisConnection server;
  private final Clock clock;
  private final EntryTtl ttl;
  private final String prefix;

  private RedisPageIndex(RedisSettings settings, RedisConnection server, Clock clock) {
    this.settings = settings;
    this.server = server;
    this.clock = clock;
    this.ttl = EntryTtl.ofDays(settings.ttlDays());
    this.prefix = settings.keyPrefix();
  }

  public static RedisPageIndex open(RedisSettings settings) {
    return open(settings, Clock.systemUTC());
  }

  /** Connects and checks the server answers; {@code clock} decides entry expiry times. */
  public static RedisPageIndex open(RedisSettings settings, Clock clock) {
    return new RedisPageIndex(settings, RedisConnection.open(settings), clock);
  }

  /** How long the page lasted; saturating, as a page may start before 1970 and end far after. */
  private static long span(IndexEntry e) {
    return SaturatingMillis.minus(e.endTime(), e.startTime());
  }

  String entryKey(IndexEntry e) {
    return prefix
        + ":"
        + keySegment(e.writerId())
        + ":"
        + e.startTime()
        + ":"
        + e.pageSequence()
        + ":"
        + e.partition()
        + ":"
        + keySegment(e.topic());
  }

  /**
   * A writer id or topic as one segment of an entry key: {@code %} and {@code :} percent-encoded,
   * so that no two pages share a key (writer {@code w}, topic {@code 1:x} and writer {@code
   * w:1000}, topic {@code x} would). Text without them, nearly all, stays as it is, so keys written
   * before this encoding stay the same.
   */
  static String keySegment(String text) {
    if (text.indexOf(':') < 0 && text.indexOf('%') < 0) {
      return text;
    }
    return text.replace("%", "%25").replace(":", "%3A");
  }

  private String pagesKey(String writerId) {
    return prefix + ".pages:" + writerId;
  }

  private String spanKey() {
    return prefix + ".span";
  }

  private String writersKey() {
    return prefix + ".writers";
  }

  /**
   * A counter of removals that found nothing left to remove on the primary, written only to be
   * waited for ({@link #confirmEarlierRemoval}).
   */
  private String removalsKey() {
    return prefix + ".removals";
  }

  /**
   * The partition comes first: a number ends at the colon, so no topic name can make two keys
   * collide.
   */
  private String offsetsKey(String topic, int partition) {
    return prefix + ".offsets:" + partition + ":" + topic;
  }

  /**
   * One {@code MULTI}/{@code EXEC} transaction: the server applies every write of the batch (entry,
   * sets, span, writer) or none. A refusal (-OOM as memory runs out, -READONLY, -LOADING, -NOPERM)
   * aborts the whole transaction, and a connection lost before {@code EXEC} leaves nothing. In a
   * plain pipeline the writes before a refusal stayed: an entry listed by its partition's offsets
   * (so a partition's new owner took its records as indexed, and reindex the page) but missing from
   * the writer's span, so range queries over its later times never found it.
   *
   * <p>With {@link ReplicaWait replicas to wait for}, the transaction's connection then asks {@code
   * WAIT}: fewer acknowledgements in time fail the publish (an {@link IndexException}, retried like
   * any), although the primary keeps the entries.
   */
  @Override
  public void publish(List<IndexEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try {
      transact(
          "publish " + entries.size() + " entries",
          "the primary has them",
          "a failover now could lose them, so the publish is retried",
          transaction -> write(transaction, entries));
      server.answered();
    } catch (JedisException e) {
      throw server.failure("publish " + entries.size() + " entries", e);
    }
  }

  /**
   * Queues {@code writes} in one {@code MULTI}/{@code EXEC} transaction and executes it: the server
   * applies all of them or none. With {@link ReplicaWait replicas to wait for}, the transaction
   * runs on a connection to the primary of its own, which then asks {@code WAIT} (it counts the
   * replicas that have this connection's writes: the transaction's own); fewer acknowledgements in
   * time throw an {@link IndexException} saying so, although the primary keeps what it did.
   *
   * @param what what was done, for the message ("publish 3 entries")
   * @param onPrimary what the primary holds when too few replicas acknowledged
   * @param risk what that risks, and what happens next
   */
  private void transact(
      String what, String onPrimary, String risk, Consumer<AbstractTransaction> writes) {
    ReplicaWait wait = settings.replicaWait();
    if (!wait.waits()) {
      try (AbstractTransaction transaction = server.redis().multi()) {
        writes.accept(transaction);
        execute(transaction);
      }
      return;
    }
    try (Connection connection = server.primaryConnection();
        Transaction transaction = new Transaction(connection, true, false)) {
      writes.accept(transaction);
      execute(transaction);
      long acknowledged =
          connection.executeCommand(
              new CommandObject<>(
                  new CommandArguments(Protocol.Command.WAIT)
                      .add(wait.replicas())
                      .add(wait.timeout().toMillis()),
                  BuilderFactory.LONG));
      if (acknowledged < wait.replicas()) {
        throw new IndexException(
            "Cannot "
                + what
                + " in "
                + describe()
                + ": "
                + onPrimary
                + ", but "
                + acknowledged
                + " of the "
                + wait.replicas()
                + " replicas "
                + RedisSettings.WAIT_REPLICAS_SETTING
                + " asks for acknowledged them within "
                + wait.timeout().toMillis()
                + " ms ("
                + RedisSettings.WAIT_TIMEOUT_SETTING
                + "); "
                + risk);
      }
    }
  }

  /**
   * Executes the queued transaction. A refusal while queueing aborts EXEC (-EXECABORT, the refusals
   * as its suppressed exceptions); an error while executing comes back in its command's place.
   */
  private static void execute(AbstractTransaction transaction) {
    for (Object reply : transaction.exec()) {
      if (reply instanceof JedisDataException error) {
        throw error;
      }
    }
  }

  /** Queues the entries' writes (entry, sets, span, writer) in {@code transaction}. */
  private void write(AbstractTransaction transaction, List<IndexEntry> entries) {
    long now = clock.millis();
    Map<String, Long> longestSpan = new HashMap<>();
    for (IndexEntry e : entries) {
      SetParams params = new SetParams();
      if (!ttl.keeps()) {
        if (ttl.expired(e, now)) {
          continue; // already past its TTL: indexing it would only resurrect an expired entry
        }
        params.pxAt(ttl.expiresAt(e));
      }
      transaction.set(entryKey(e), IndexEntryJson.write(e), params);
      transaction.zadd(pagesKey(e.writerId()), e.startTime(), entryKey(e));
      transaction.zadd(offsetsKey(e.topic(), e.partition()), e.lastOffset(), entryKey(e));
      longestSpan.merge(e.writerId(), span(e), Math::max);
    }
    for (Map.Entry<String, Long> span : longestSpan.entrySet()) {
      transaction.zadd(spanKey(), span.getValue(), span.getKey(), ZAddParams.zAddParams().gt());
      transaction.zadd(writersKey(), 0, span.getKey());
    }
  }

  @Override
  public List<IndexEntry> entries(String writerId, TimeRange range) {
    try {
      Double span = server.redis().zscore(spanKey(), writerId);
      if (span == null && server.redis().zcard(pagesKey(writerId)) == 0) {
        return List.of();
      }
      // No span with entries: a removal of the writer met a publish of its next page (see
      // forgetWriterIfEmpty); without the span, any page may reach into the range.
      // The span is a score, a double: past 2^53 ms it may be up to half an ulp short.
      long earliestStart =
          span == null
              ? Long.MIN_VALUE
              : SaturatingMillis.minus(
                  range.fromMillis(),
                  SaturatingMillis.plus(span.longValue(), (long) Math.ulp(span)));
      String min = earliestStart == Long.MIN_VALUE ? "-inf" : Long.toString(earliestStart);
      // Inclusive: scores are doubles, exact only up to 2^53 ms; a start just below the range's
      // end can have the same score as the end. The overlap check below is exact.
      String max = range.openEnded() ? "+inf" : Long.toString(range.toMillis());
      List<IndexEntry> entries = new ArrayList<>();
      for (IndexEntry entry :
          readEntries(
              pagesKey(writerId), server.redis().zrangeByScore(pagesKey(writerId), min, max))) {
        // The writer check: an entry key written before keySegment could be another writer's.
        // overlaps() keeps a page starting at Long.MAX_VALUE in a range without an end.
        if (entry.writerId().equals(writerId)
            && range.overlaps(entry.startTime(), entry.endTime())) {
          entries.add(entry);
        }
      }
      entries.sort(IndexEntry.QUERY_ORDER);
      return onePerPageKey(entries);
    } catch (JedisException e) {
      throw server.failure("query the pages of a writer", e);
    }
  }

  /**
   * Reads the writer's sorted set by score (start time) a window of {@code limit} members at a
   * time, and always whole groups of one score: members of one score come in the byte order of
   * their keys, not the entries' order, so a group is read whole, sorted, and cut after the
   * cursor's entry. Scores are doubles: past 2^53 ms several start times share one, and a group is
   * all of them. A batch may hold a little more than a window while a group is completed, then is
   * cut to {@code limit}.
   */
  @Override
  public EntryPage entryPage(String writerId, EntryCursor from, int limit) {
    EntryPage.requirePositive(limit);
    try {
      String setKey = pagesKey(writerId);
      IndexEntry after = from.lastEntry();
      List<IndexEntry> batch = new ArrayList<>();
      String min = "-inf";
      if (after != null) {
        double score = after.startTime();
        for (IndexEntry entry : group(setKey, writerId, score)) {
          if (IndexEntry.QUERY_ORDER.compare(entry, after) > 0) {
            batch.add(entry);
          }
        }
        min = "(" + score;
      }
      while (batch.size() < limit) {
        List<Tuple> window = server.redis().zrangeByScoreWithScores(setKey, min, "+inf", 0, limit);
        if (window.isEmpty()) {
          break;
        }
        boolean full = window.size() == limit;
        double lastScore = window.get(window.size() - 1).getScore();
        List<String> keys = new ArrayList<>(window.size());
        for (Tuple member : window) {
          // The last score's group may go on past the window: read it whole below.
          if (!full || member.getScore() < lastScore) {
            keys.add(member.getElement());
          }
        }
        List<IndexEntry> read = ownEntries(setKey, writerId, keys);
        if (full) {
          read.addAll(
              ownEntries(
                  setKey, writerId, server.redis().zrangeByScore(setKey, lastScore, lastScore)));
        }
        read.sort(IndexEntry.QUERY_ORDER);
        batch.addAll(onePerPageKey(read));
        if (!full) {
          break;
        }
        min = "(" + lastScore;
      }
      if (batch.size() > limit) {
        return new EntryPage(batch.subList(0, limit), EntryCursor.after(batch.get(limit - 1)));
      }
      return EntryPage.of(batch, limit);
    } catch (JedisException e) {
      throw server.failure("query a batch of the pages of a writer", e);
    }
  }

  /** The writer's entries whose score is {@code score}, in query order, one per page key. */
  private List<IndexEntry> group(String setKey, String writerId, double score) {
    List<IndexEntry> group =
        ownEntries(setKey, writerId, server.redis().zrangeByScore(setKey, score, score));
    group.sort(IndexEntry.QUERY_ORDER);
    return onePerPageKey(group);
  }

  /**
   * The entries under {@code keys} that are the writer's (an entry key written before keySegment
   * could be another writer's).
   */
  private List<IndexEntry> ownEntries(String setKey, String writerId, List<String> keys) {
    List<IndexEntry> own = readEntries(setKey, keys);
    own.removeIf(entry -> !entry.writerId().equals(writerId));
    return own;
  }

  @Override
  public List<IndexEntry> entriesFromOffset(
      String topic, int partition, long fromOffset, int limit) {
    try {
      String offsets = offsetsKey(topic, partition);
      List<IndexEntry> entries =
          readEntries(
              offsets,
              server.redis().zrangeByScore(offsets, Long.toString(fromOffset), "+inf", 0, limit));
      entries.sort(
          Comparator.comparingLong(IndexEntry::lastOffset)
              .thenComparing(IndexEntry::pageKey, Utf8.BYTE_ORDER));
      return entries;
    } catch (JedisException e) {
      throw server.failure("query the pages of " + topic + "-" + partition, e);
    }
  }

  /**
   * The entries stored under {@code keys}, members of the sorted set {@code setKey}, read in
   * chunks; members whose value has expired leave the set.
   */
  private List<IndexEntry> readEntries(String setKey, List<String> keys) {
    List<IndexEntry> entries = new ArrayList<>(keys.size());
    List<String> vanished = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += CHUNK) {
      List<String> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
      List<String> values = server.redis().mget(chunk.toArray(String[]::new));
      for (int i = 0; i < chunk.size(); i++) {
        if (values.get(i) == null) {
          vanished.add(chunk.get(i));
        } else {
          entries.add(IndexEntryJson.read(values.get(i)));
        }
      }
    }
    if (!vanished.isEmpty()) {
      forgetVanished(setKey, vanished);
    }
    return entries;
  }

  /**
   * Tidying a query does on the side: a read-only replica (one read from on purpose, or the old
   * primary after a failover) refuses it, as does the server for a user whose ACL allows only reads
   * (replay's credentials, -NOPERM), and the query still answers; the primary's next query or
   * {@link #expireBefore} tidies instead.
   */
  private void forgetVanished(String setKey, List<String> vanished) {
    try {
      server.redis().zrem(setKey, vanished.toArray(String[]::new));
    } catch (JedisDataException e) {
      if (!RedisRole.readOnly(e) && !RedisRole.noPermission(e)) {
        throw e;
      }
      log.debug(
          "Left {} vanished entry keys in {} of {}: {}",
          vanished.size(),
          setKey,
          describe(),
          e.getMessage());
    }
  }

  /**
   * A page published before entry keys carried partition and topic, and again since (a re-delivery,
   * a reindex), has an entry under each key: one is returned.
   */
  private static List<IndexEntry> onePerPageKey(List<IndexEntry> entries) {
    Set<String> seen = new HashSet<>(entries.size() * 2);
    List<IndexEntry> unique = new ArrayList<>(entries.size());
    for (IndexEntry entry : entries) {
      if (seen.add(entry.pageKey())) {
        unique.add(entry);
      }
    }
    return unique;
  }

  @Override
  public WriterPage writers(String after, int limit) {
    try {
      List<String> writers =
          server
              .redis()
              .zrangeByLex(writersKey(), after == null ? "-" : "(" + after, "+", 0, limit);
      return WriterPage.of(writers, limit);
    } catch (JedisException e) {
      throw server.failure("list writers", e);
    }
  }

  /**
   * Finds each entry among the writer's entries at its start time and deletes the one whose value
   * names its page key, so an entry now holding another page (same writer, start and sequence) is
   * left alone. A writer left without entries leaves the writer list.
   */
  @Override
  public void remove(List<IndexEntry> entries) {
    try {
      Map<String, List<IndexEntry>> byWriter = new HashMap<>();
      for (IndexEntry e : entries) {
        byWriter.computeIfAbsent(e.writerId(), w -> new ArrayList<>()).add(e);
      }
      for (Map.Entry<String, List<IndexEntry>> writer : byWriter.entrySet()) {
        removeOfWriter(writer.getKey(), writer.getValue());
      }
    } catch (JedisException e) {
      throw server.failure("remove " + entries.size() + " entries", e);
    }
  }

  private void removeOfWriter(String writer, List<IndexEntry> entries) {
    List<Response<List<String>>> atStart = new ArrayList<>(entries.size());
    try (AbstractPipeline pipeline = server.redis().pipelined()) {
      for (IndexEntry e : entries) {
        String score = Long.toString(e.startTime());
        atStart.add(pipeline.zrangeByScore(pagesKey(writer), score, score));
      }
      pipeline.sync();
    }
    Map<String, Set<String>> wantedPageKeys = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      for (String member : atStart.get(i).get()) {
        wantedPageKeys.computeIfAbsent(member, m -> new HashSet<>()).add(entries.get(i).pageKey());
      }
    }
    List<String> candidates = new ArrayList<>(wantedPageKeys.keySet());
    List<String> removed = new ArrayList<>();
    List<IndexEntry> removedEntries = new ArrayList<>();
    for (int from = 0; from < candidates.size(); from += CHUNK) {
      List<String> chunk = candidates.subList(from, Math.min(candidates.size(), from + CHUNK));
      List<String> values = server.redis().mget(chunk.toArray(String[]::new));
      for (int i = 0; i < chunk.size(); i++) {
        String value = values.get(i);
        // A vanished value (expired) goes as well.
        if (value == null) {
          removed.add(chunk.get(i));
        } else {
          IndexEntry entry = IndexEntryJson.read(value);
          if (wantedPageKeys.get(chunk.get(i)).contains(entry.pageKey())) {
            removed.add(chunk.get(i));
            removedEntries.add(entry);
          }
        }
      }
    }
    if (removed.isEmpty()) {
      confirmEarlierRemoval(writer, entries.size());
      return;
    }
    deleteEntries(writer, removed, removedEntries);
    forgetWriterIfEmpty(writer);
  }

  /**
   * None of a writer's entries to remove is left on the primary: most often a removal retried after
   * its {@code WAIT} failed, whose writes the primary has and a replica may still lack. {@code
   * WAIT} counts only what its own connection wrote, so, with replicas to wait for, a write of its
   * own (the {@link #removalsKey} counter) is waited for: replication keeps the primary's order, so
   * a replica that acknowledges it has the earlier removal too. A caller that deletes the entries'
   * pages next (compaction) then does so only once a failover could no longer bring them back.
   */
  private void confirmEarlierRemoval(String writer, int entries) {
    if (!settings.replicaWait().waits()) {
      return;
    }
    transact(
        "remove " + entries + " entries of writer " + Printable.quote(writer),
        "the primary holds none of them (removed before)",
        "a replica may still list them and a failover now could bring them back, so the removal"
            + " counts as failed (a compaction keeps the pages it merged and deletes them on its"
            + " next run)",
        transaction -> transaction.incr(removalsKey()));
  }

  @Override
  public void expireBefore(long cutoffMillis) {
    try {
      long removed = 0;
      String after = null;
      do {
        WriterPage page = writers(after, 1_000);
        for (String writer : page.writers()) {
          removed += expireWriter(writer, cutoffMillis);
        }
        after = page.next();
      } while (after != null);
      log.info(
          "Expired {} entries of pages that ended before {} from {}",
          removed,
          cutoffMillis,
          describe());
    } catch (JedisException e) {
      throw server.failure("expire entries", e);
    }
  }

  /**
   * Removes the writer's entries that ended before the cutoff, and the writer when none are left.
   */
  private long expireWriter(String writer, long cutoffMillis) {
    // Inclusive, as in entries(): the end time check below is exact, the double score is not.
    List<String> candidates =
        server.redis().zrangeByScore(pagesKey(writer), "-inf", Long.toString(cutoffMillis));
    List<String> expired = new ArrayList<>();
    List<IndexEntry> expiredEntries = new ArrayList<>();
    for (int from = 0; from < candidates.size(); from += CHUNK) {
      List<String> chunk = candidates.subList(from, Math.min(candidates.size(), from + CHUNK));
      List<String> values = server.redis().mget(chunk.toArray(String[]::new));
      for (int i = 0; i < chunk.size(); i++) {
        if (values.get(i) == null) {
          expired.add(chunk.get(i));
        } else {
          IndexEntry entry = IndexEntryJson.read(values.get(i));
          if (entry.endTime() < cutoffMillis) {
            expired.add(chunk.get(i));
            expiredEntries.add(entry);
          }
        }
      }
    }
    deleteEntries(writer, expired, expiredEntries);
    forgetWriterIfEmpty(writer);
    return expired.size();
  }

  /**
   * Takes a writer without entries out of the writers' list and the spans. A task may publish the
   * writer's next page between the check and the removal (on another connection): the second check
   * sees it, and the writer goes back with its span, or its pages could not be found.
   */
  private void forgetWriterIfEmpty(String writer) {
    if (server.redis().zcard(pagesKey(writer)) != 0) {
      return;
    }
    server.redis().zrem(writersKey(), writer);
    server.redis().zrem(spanKey(), writer);
    if (server.redis().zcard(pagesKey(writer)) != 0) {
      long span = 0;
      for (IndexEntry e :
          readEntries(
              pagesKey(writer), server.redis().zrangeByScore(pagesKey(writer), "-inf", "+inf"))) {
        span = Math.max(span, span(e));
      }
      server.redis().zadd(spanKey(), span, writer, ZAddParams.zAddParams().gt());
      server.redis().zadd(writersKey(), 0, writer);
      log.info(
          "Writer {} published a page while it was being removed; kept it",
          Printable.quote(writer));
    }
  }

  /**
   * Deletes entry keys and takes them out of the writer's set and, for the entries whose value was
   * still there ({@code entries}), out of their partition's offsets set, in one transaction (and,
   * with replicas to wait for, waiting for them as a publish does: otherwise a failover could bring
   * back entries whose pages a compaction then deletes). Keys whose value had expired leave the
   * offsets sets when a query meets them.
   */
  private void deleteEntries(String writer, List<String> keys, List<IndexEntry> entries) {
    if (keys.isEmpty()) {
      return;
    }
    transact(
        "remove " + keys.size() + " entries of writer " + Printable.quote(writer),
        "the primary has removed them",
        "a failover now could bring them back, so the removal counts as failed (a compaction keeps"
            + " the pages it merged and deletes them on its next run)",
        transaction -> {
          for (int from = 0; from < keys.size(); from += CHUNK) {
            String[] chunk =
                keys.subList(from, Math.min(keys.size(), from + CHUNK)).toArray(String[]::new);
            transaction.del(chunk);
            transaction.zrem(pagesKey(writer), chunk);
          }
          for (IndexEntry e : entries) {
            transaction.zrem(offsetsKey(e.topic(), e.partition()), entryKey(e));
          }
        });
  }

  @Override
  public void ping() {
    try {
      server.redis().ping();
      server.answered();
    } catch (JedisException e) {
      throw server.failure("ping", e);
    }
  }

  @Override
  public String describe() {
    return server.describe();
  }

  @Override
  public void close() {
    server.close();
  }
}
