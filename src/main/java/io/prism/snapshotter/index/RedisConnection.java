package io.prism.snapshotter.index;

import io.prism.snapshotter.util.TlsContext;
import io.prism.snapshotter.util.TlsFailures;
import io.prism.snapshotter.util.TlsProbe;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The Redis server of an index, as the index reaches it: a client of the URL's server, or of the
 * primary its sentinels name (made again by later calls while they do not answer), with the URL's
 * TLS, trust and credentials; and failures that say why, down to a client certificate the server
 * wants.
 */
final class RedisConnection implements AutoCloseable {
  /** Logged as the index's own lines, where they always were. */
  private static final Logger log = LoggerFactory.getLogger(RedisPageIndex.class);

  private final RedisSettings settings;

  /** The client; null until {@link #connect} makes one (the sentinels were down at open). */
  private volatile UnifiedJedis client;

  /** Makes the client: tried again on every call until it succeeds. */
  private final Supplier<UnifiedJedis> connect;

  private boolean closed;

  /** A rediss:// index's TLS, to tell a server that wants a client certificate; else null. */
  private final TlsContext tls;

  /**
   * A server answered this index. If it asked for a certificate the index did not give, it asks but
   * does not require one (Redis's {@code tls-auth-clients optional}): a later failure is then not a
   * missing certificate.
   */
  private volatile boolean answered;

  private RedisConnection(
      RedisSettings settings, UnifiedJedis client, Supplier<UnifiedJedis> connect, TlsContext tls) {
    this.settings = settings;
    this.client = client;
    this.connect = connect;
    this.tls = tls;
  }

  /**
   * Connects and checks the server answers. A server (or all sentinels) down now, or still loading
   * its data, is not an error here: the connection is made again by later calls.
   */
  static RedisConnection open(RedisSettings settings) {
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
        return new RedisConnection(settings, null, connect, tls);
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
    RedisConnection connection = new RedisConnection(settings, redis, connect, tls);
    try {
      redis.ping();
    } catch (JedisException e) {
      if (RedisRole.noPermission(e)) {
        // It answered, and accepted the credentials: an ACL user without PING (replay's
        // +@read user, say) may still run every command it needs.
        connection.answered = true;
        return announce(connection, redis);
      }
      // A server that is down now, or up but still reading its data back after a restart, must
      // not fail a starting Connect task for good: every call connects anew, so later calls work
      // once Redis is back. A refusal (a wrong password) is still thrown at once.
      if ((!Unreachable.causeOf(e) && !RedisRole.loading(e))
          || (connection.wantsACertificate() && Unreachable.closedByServer(e))) {
        redis.close();
        throw connection.failure("connect to", e);
      }
      log.warn(
          "Redis index {} cannot be used now (down or still loading its data); later calls retry: {}",
          connection.describe(),
          e.getMessage());
      return connection;
    }
    connection.answered = true;
    return announce(connection, redis);
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
  private static RedisConnection announce(RedisConnection connection, UnifiedJedis redis) {
    RedisRole.replicaOf(redis)
        .ifPresentOrElse(
            replica ->
                log.warn(
                    "Redis index {} is {}: it refuses writes (-READONLY), so publishes fail and are "
                        + "retried until it is promoted or index.redis.url leads to the primary",
                    connection.describe(),
                    replica),
            () ->
                log.info(
                    "Redis page index at {}{}",
                    connection.describe(),
                    redis instanceof RedisSentinelClient sentinels
                        ? ", its primary now " + sentinels.getCurrentMaster() + " (the sentinels')"
                        : ""));
    return connection;
  }

  /** A connection to the primary, from the client's own pool: returned to it when closed. */
  Connection primaryConnection() {
    if (redis() instanceof RedisSentinelClient sentinels) {
      // The pool of the primary the sentinels name now: the map holds that one only.
      return sentinels.getPrimaryNodesConnectionMap().values().stream()
          .findFirst()
          .orElseThrow(() -> new JedisConnectionException("the sentinels name no primary now"))
          .getResource();
    }
    return ((RedisClient) redis()).getPool().getResource();
  }

  /** {@code redis <url, password hidden> prefix <prefix>}. */
  String describe() {
    return "redis " + RedisSettings.redacted(settings.url()) + " prefix " + settings.keyPrefix();
  }

  /** A server answered: see {@link #answered}. */
  void answered() {
    answered = true;
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
  UnifiedJedis redis() {
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

  /**
   * The index's failure to do {@code what}, saying why: a read-only replica, a TLS setting, or a
   * client certificate the server wants.
   */
  IndexException failure(String what, JedisException e) {
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
