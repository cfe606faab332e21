package io.prism.snapshotter.index;

import io.prism.snapshotter.util.Printable;
import io.prism.snapshotter.util.TlsContext;
import io.prism.snapshotter.util.TlsFailures;
import io.prism.snapshotter.util.TlsProbe;
import io.prism.snapshotter.util.Utf8;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.JedisURIHelper;

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
 */
public final class RedisPageIndex implements PageIndex {
  private static final Logger log = LoggerFactory.getLogger(RedisPageIndex.class);
  private static final int CHUNK = 5_000;

  private final RedisSettings settings;

  /** The client; null until {@link #connect} makes one (the sentinels were down at open). */
  private volatile UnifiedJedis client;

  /** Makes the client: tried again on every call until it succeeds. */
  private final Supplier<UnifiedJedis> connect;

  private boolean closed;
  private final Clock clock;
  private final EntryTtl ttl;
  private final String prefix;

  /** A rediss:// index's TLS, to tell a server that wants a client certificate; else null. */
  private final TlsContext tls;

  /**
   * A server answered this index. If it asked for a certificate the index did not give, it asks but
   * does not require one (Redis's {@code tls-auth-clients optional}): a later failure is then not a
   * missing certificate.
   */
  private volatile boolean answered;

  private RedisPageIndex(
      RedisSettings settings,
      UnifiedJedis client,
      Supplier<UnifiedJedis> connect,
      TlsContext tls,
      Clock clock) {
    this.settings = settings;
    this.client = client;
    this.connect = connect;
    this.tls = tls;
    this.clock = clock;
    this.ttl = EntryTtl.ofDays(settings.ttlDays());
    this.prefix = settings.keyPrefix();
  }

  public static RedisPageIndex open(RedisSettings settings) {
    return open(settings, Clock.systemUTC());
  }

  /** Connects and checks the server answers; {@code clock} decides entry expiry times. */
  public static RedisPageIndex open(RedisSettings settings, Clock clock) {
    var url = settings.url();
    RedisSentinels sentinels = RedisSentinels.isSentinelUrl(url) ? RedisSentinels.parse(url) : null;
    boolean ssl = sentinels != null ? sentinels.tls() : JedisURIHelper.isRedisSSLScheme(url);
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .ssl(ssl)
            .connectionTimeoutMillis(5_000)
            .socketTimeoutMillis(30_000)
            .user(sentinels != null ? sentinels.user() : JedisURIHelper.getUser(url));
    TlsContext tls = null;
    if (ssl) {
      // The server's certificate must name the host connected to, whatever the trust source.
      SSLParameters hostCheck = new SSLParameters();
      hostCheck.setEndpointIdentificationAlgorithm("HTTPS");
      config.sslParameters(hostCheck);
      tls = TlsContext.of(settings.tlsCa(), settings.tlsClient());
      config.sslSocketFactory(tls.socketFactory());
    }
    String password =
        settings.password() != null
                && settings.password().value() != null
                && !settings.password().value().isEmpty()
            ? settings.password().value()
            : sentinels != null ? sentinels.password() : JedisURIHelper.getPassword(url);
    config.password(password);
    if (sentinels != null) {
      config.database(sentinels.database());
    } else if (JedisURIHelper.hasDbIndex(url)) {
      config.database(JedisURIHelper.getDBIndex(url));
    }
    UnifiedJedis redis;
    TlsContext sentinelTls = tls;
    Supplier<UnifiedJedis> connect =
        sentinels != null
            ? () -> throughSentinels(sentinels, settings, config, sentinelTls)
            : () -> direct(url, config);
    try {
      redis = connect.get();
    } catch (JedisException e) {
      // The sentinels are asked for the primary when the client is made: none answered, or none
      // knows the master's name (or they refused the password).
      if (sentinels != null && !sentinels.anyReachable()) {
        // Down now, as a Redis server may be at open: later calls try again.
        log.warn(
            "Redis index at {}: none of its sentinels {} answers now; later calls retry: {}",
            RedisSettings.redacted(url),
            sentinels.addresses(),
            e.getMessage());
        return new RedisPageIndex(settings, null, connect, tls, clock);
      }
      throw new IndexException(
          "Cannot find the primary of "
              + RedisSettings.redacted(url)
              + " through its sentinels "
              + (sentinels == null ? "" : sentinels.addresses())
              + ": "
              + e.getMessage()
              + (settings.sentinelPassword() == null
                  ? " (sentinels that ask for a password refuse without one: "
                      + RedisSettings.SENTINEL_PASSWORD_SETTING
                      + ")"
                  : " (the sentinels answer: do they know the master's name, and accept "
                      + (settings.sentinelUser() == null
                          ? "the password of their default user in "
                              + RedisSettings.SENTINEL_PASSWORD_SETTING
                              + " ("
                              + RedisSettings.SENTINEL_USER_SETTING
                              + " for an ACL user)?)"
                          : "user '"
                              + settings.sentinelUser()
                              + "' with "
                              + RedisSettings.SENTINEL_PASSWORD_SETTING
                              + "?)")),
          e);
    }
    RedisPageIndex index = new RedisPageIndex(settings, redis, connect, tls, clock);
    try {
      redis.ping();
    } catch (JedisException e) {
      if (RedisRole.noPermission(e)) {
        // It answered, and accepted the credentials: an ACL user without PING (replay's
        // +@read user, say) may still run every command it needs.
        index.answered = true;
        return announce(index, redis);
      }
      // A server that is down now, or up but still reading its data back after a restart, must
      // not fail a starting Connect task for good: every call connects anew, so later calls work
      // once Redis is back. A refusal (a wrong password) is still thrown at once.
      if ((!Unreachable.causeOf(e) && !RedisRole.loading(e))
          || (index.wantsACertificate() && Unreachable.closedByServer(e))) {
        redis.close();
        throw index.failure("connect to", e);
      }
      log.warn(
          "Redis index {} cannot be used now (down or still loading its data); later calls retry: {}",
          index.describe(),
          e.getMessage());
      return index;
    }
    index.answered = true;
    return announce(index, redis);
  }

  private static UnifiedJedis direct(URI url, DefaultJedisClientConfig.Builder config) {
    return RedisClient.builder()
        .hostAndPort(JedisURIHelper.getHostAndPort(url))
        .clientConfig(config.build())
        .build();
  }

  /**
   * A client of whichever server the sentinels name the master's primary: it listens to them and
   * moves to the new primary after a failover. The sentinels are reached as the data nodes are
   * (TLS, trust, client certificate), with their own credentials ({@code requirepass} in a
   * sentinel's configuration, or an ACL user), if any, instead of the data nodes'.
   */
  private static UnifiedJedis throughSentinels(
      RedisSentinels sentinels,
      RedisSettings settings,
      DefaultJedisClientConfig.Builder data,
      TlsContext tls) {
    Password sentinelPassword = settings.sentinelPassword();
    // The sentinel client's connections speak RESP2 whatever is asked (Jedis warns on every one
    // that negotiation is off): say so, and the warning goes.
    data.autoNegotiateProtocol(false);
    DefaultJedisClientConfig.Builder sentinelConfig =
        DefaultJedisClientConfig.builder()
            .autoNegotiateProtocol(false)
            .ssl(sentinels.tls())
            .connectionTimeoutMillis(5_000)
            .socketTimeoutMillis(30_000);
    if (sentinelPassword != null && sentinelPassword.value() != null) {
      sentinelConfig.user(settings.sentinelUser()).password(sentinelPassword.value());
    }
    if (tls != null) {
      SSLParameters hostCheck = new SSLParameters();
      hostCheck.setEndpointIdentificationAlgorithm("HTTPS");
      sentinelConfig.sslParameters(hostCheck).sslSocketFactory(tls.socketFactory());
    }
    return RedisSentinelClient.builder()
        .masterName(sentinels.master())
        .sentinels(sentinels.sentinels())
        .clientConfig(data.build())
        .sentinelClientConfig(sentinelConfig.build())
        .build();
  }

  /**
   * Logs what the index is: a primary, or a replica (which starts the task too: it may be the old
   * primary, demoted by a failover, at an address that follows the new primary seconds later; a
   * task failed for that would wait for a person to restart it. Publishes fail (-READONLY) and are
   * retried until it is a primary).
   */
  private static RedisPageIndex announce(RedisPageIndex index, UnifiedJedis redis) {
    RedisRole.replicaOf(redis)
        .ifPresentOrElse(
            replica ->
                log.warn(
                    "Redis index {} is {}: it refuses writes (-READONLY), so publishes fail and are "
                        + "retried until it is promoted or index.redis.url leads to the primary",
                    index.describe(),
                    replica),
            () ->
                log.info(
                    "Redis page index at {}{}",
                    index.describe(),
                    redis instanceof RedisSentinelClient sentinels
                        ? ", its primary now " + sentinels.getCurrentMaster() + " (the sentinels')"
                        : ""));
    return index;
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
      answered = true;
    } catch (JedisException e) {
      throw failure("publish " + entries.size() + " entries", e);
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
      try (AbstractTransaction transaction = redis().multi()) {
        writes.accept(transaction);
        execute(transaction);
      }
      return;
    }
    try (Connection connection = primaryConnection();
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

  /** A connection to the primary, from the client's own pool: returned to it when closed. */
  private Connection primaryConnection() {
    if (redis() instanceof RedisSentinelClient sentinels) {
      // The pool of the primary the sentinels name now: the map holds that one only.
      return sentinels.getPrimaryNodesConnectionMap().values().stream()
          .findFirst()
          .orElseThrow(() -> new JedisConnectionException("the sentinels name no primary now"))
          .getResource();
    }
    return ((RedisClient) redis()).getPool().getResource();
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
      Double span = redis().zscore(spanKey(), writerId);
      if (span == null && redis().zcard(pagesKey(writerId)) == 0) {
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
          readEntries(pagesKey(writerId), redis().zrangeByScore(pagesKey(writerId), min, max))) {
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
      throw failure("query the pages of a writer", e);
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
        List<Tuple> window = redis().zrangeByScoreWithScores(setKey, min, "+inf", 0, limit);
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
              ownEntries(setKey, writerId, redis().zrangeByScore(setKey, lastScore, lastScore)));
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
      throw failure("query a batch of the pages of a writer", e);
    }
  }

  /** The writer's entries whose score is {@code score}, in query order, one per page key. */
  private List<IndexEntry> group(String setKey, String writerId, double score) {
    List<IndexEntry> group =
        ownEntries(setKey, writerId, redis().zrangeByScore(setKey, score, score));
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
              offsets, redis().zrangeByScore(offsets, Long.toString(fromOffset), "+inf", 0, limit));
      entries.sort(
          Comparator.comparingLong(IndexEntry::lastOffset)
              .thenComparing(IndexEntry::pageKey, Utf8.BYTE_ORDER));
      return entries;
    } catch (JedisException e) {
      throw failure("query the pages of " + topic + "-" + partition, e);
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
      List<String> values = redis().mget(chunk.toArray(String[]::new));
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
      redis().zrem(setKey, vanished.toArray(String[]::new));
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
          redis().zrangeByLex(writersKey(), after == null ? "-" : "(" + after, "+", 0, limit);
      return WriterPage.of(writers, limit);
    } catch (JedisException e) {
      throw failure("list writers", e);
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
      throw failure("remove " + entries.size() + " entries", e);
    }
  }

  private void removeOfWriter(String writer, List<IndexEntry> entries) {
    List<Response<List<String>>> atStart = new ArrayList<>(entries.size());
    try (AbstractPipeline pipeline = redis().pipelined()) {
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
      List<String> values = redis().mget(chunk.toArray(String[]::new));
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
      throw failure("expire entries", e);
    }
  }

  /**
   * Removes the writer's entries that ended before the cutoff, and the writer when none are left.
   */
  private long expireWriter(String writer, long cutoffMillis) {
    // Inclusive, as in entries(): the end time check below is exact, the double score is not.
    List<String> candidates =
        redis().zrangeByScore(pagesKey(writer), "-inf", Long.toString(cutoffMillis));
    List<String> expired = new ArrayList<>();
    List<IndexEntry> expiredEntries = new ArrayList<>();
    for (int from = 0; from < candidates.size(); from += CHUNK) {
      List<String> chunk = candidates.subList(from, Math.min(candidates.size(), from + CHUNK));
      List<String> values = redis().mget(chunk.toArray(String[]::new));
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
    if (redis().zcard(pagesKey(writer)) != 0) {
      return;
    }
    redis().zrem(writersKey(), writer);
    redis().zrem(spanKey(), writer);
    if (redis().zcard(pagesKey(writer)) != 0) {
      long span = 0;
      for (IndexEntry e :
          readEntries(pagesKey(writer), redis().zrangeByScore(pagesKey(writer), "-inf", "+inf"))) {
        span = Math.max(span, span(e));
      }
      redis().zadd(spanKey(), span, writer, ZAddParams.zAddParams().gt());
      redis().zadd(writersKey(), 0, writer);
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
      redis().ping();
      answered = true;
    } catch (JedisException e) {
      throw failure("ping", e);
    }
  }

  @Override
  public String describe() {
    return "redis " + RedisSettings.redacted(settings.url()) + " prefix " + prefix;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      client.close();
    }
  }

  /**
   * The client, made now when the sentinels did not answer as the index opened: a {@link
   * JedisException} while they still do not, which every caller turns into an {@link
   * IndexException} as for a server that is down.
   */
  private UnifiedJedis redis() {
    UnifiedJedis made = client;
    if (made != null) {
      return made;
    }
    synchronized (this) {
      if (closed) {
        throw new JedisException("the index is closed");
      }
      if (client == null) {
        client = connect.get();
        log.info("Redis page index at {}: its sentinels answer now", describe());
      }
      return client;
    }
  }

  /**
   * The server asked for a client certificate that this index does not have, and has not answered
   * it without one since: it wants one.
   */
  private boolean wantsACertificate() {
    return tls != null && tls.refusedForWantOfACertificate() && !answered;
  }

  /**
   * A server that answered without the certificate it asked for (tls-auth-clients optional) then
   * closed a connection: an outage, or a server now started with tls-auth-clients yes, which every
   * retry meets the same way. Only a handshake of the index's own tells them apart.
   */
  private boolean mayRequireACertificateNow(JedisException e) {
    return tls != null
        && answered
        && tls.refusedForWantOfACertificate()
        && Unreachable.closedByServer(e);
  }

  /** What the server (the primary, through Sentinel) says of this index's certificate now. */
  private Optional<String> certificateProblemNow(String closedWith) {
    HostAndPort server;
    try {
      server =
          redis() instanceof RedisSentinelClient sentinels
              ? sentinels.getCurrentMaster()
              : JedisURIHelper.getHostAndPort(settings.url());
    } catch (JedisException unknown) {
      return Optional.empty();
    }
    return TlsProbe.redisClientCertificateProblem(
        server.getHost(),
        server.getPort(),
        settings.tlsCa(),
        settings.tlsClient(),
        RedisSettings.TLS_CLIENT_CERT_SETTING,
        RedisSettings.TLS_CLIENT_KEY_SETTING,
        closedWith);
  }

  private IndexException failure(String what, JedisException e) {
    String why =
        RedisRole.readOnly(e)
            ? " (the server at this address is a read-only replica, as the old primary is after a failover: "
                + "writes work again once it is promoted or index.redis.url leads to the primary)"
            : "";
    String reason =
        TlsFailures.explain(e, RedisSettings.TLS_CA_SETTING, RedisSettings.TLS_CLIENT_CERT_SETTING)
            .orElse(RedisRole.replyText(e) + why);
    if (wantsACertificate()) {
      // With TLS 1.3 the refusal comes after the handshake, as a closed connection.
      reason =
          TlsFailures.certificateWanted(
              "the server asks every client for a TLS certificate (Redis's tls-auth-clients)",
              tls.presentsCertificate(),
              RedisSettings.TLS_CLIENT_CERT_SETTING,
              RedisSettings.TLS_CLIENT_KEY_SETTING,
              reason);
    } else if (mayRequireACertificateNow(e)) {
      reason = certificateProblemNow(reason).orElse(reason);
    }
    return new IndexException(
        "Cannot " + what + (what.endsWith(" to") ? " " : " in ") + describe() + ": " + reason, e);
  }
}
