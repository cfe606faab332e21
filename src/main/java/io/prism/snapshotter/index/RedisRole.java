package io.prism.snapshotter.index;

import java.util.List;
import java.util.Optional;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * What a Redis server says it is ({@code ROLE}), and what its error replies mean for the index. A
 * replica refuses every write with {@code -READONLY} (Redis's default {@code replica-read-only
 * yes}); the connector meets one when its address still leads to the old primary after a Sentinel
 * or cluster failover demoted it.
 */
final class RedisRole {
  private RedisRole() {}

  /**
   * "a replica of host:port (link state)" when the server says it is a replica; empty for a
   * primary, and when ROLE is not allowed (an @admin command an ACL may deny) or fails: publishes
   * then still say it through their -READONLY replies.
   */
  static Optional<String> replicaOf(UnifiedJedis redis) {
    Object reply;
    try {
      reply = redis.sendCommand(Protocol.Command.ROLE);
    } catch (JedisException notAllowedOrNotNow) {
      return Optional.empty();
    }
    return replicaOf(reply);
  }

  /** Reads a ROLE reply: {@code ["slave", host, port, link state, offset]} for a replica. */
  static Optional<String> replicaOf(Object reply) {
    if (!(reply instanceof List<?> fields)
        || fields.size() < 4
        || !"slave".equals(text(fields.get(0)))) {
      return Optional.empty();
    }
    return Optional.of(
        "a replica of "
            + text(fields.get(1))
            + ":"
            + text(fields.get(2))
            + " (link "
            + text(fields.get(3))
            + ")");
  }

  /**
   * Whether {@code e} or a cause is the error reply {@code -READONLY}: the server is a read-only
   * replica and wrote nothing of what was asked.
   */
  static boolean readOnly(Throwable e) {
    return errorReply(e, "READONLY");
  }

  /**
   * Whether {@code e} or a cause is the error reply {@code -NOPERM}: the ACL user may not run that
   * command (e.g. a read-only user for replay: {@code +@read}).
   */
  static boolean noPermission(Throwable e) {
    return errorReply(e, "NOPERM");
  }

  /**
   * Whether {@code e} or a cause is the error reply {@code -LOADING}: the server is up but still
   * reads its RDB or append-only file back (seconds to minutes for a large one) and refuses every
   * command until it is done.
   */
  static boolean loading(Throwable e) {
    return errorReply(e, "LOADING");
  }

  private static boolean errorReply(Throwable e, String code) {
    for (int depth = 0; e != null && depth < 10; e = e.getCause(), depth++) {
      if (isReply(e, code)) {
        return true;
      }
      // A transaction's -EXECABORT carries the refusals that aborted it as suppressed exceptions.
      for (Throwable refusal : e.getSuppressed()) {
        if (isReply(refusal, code)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isReply(Throwable e, String code) {
    // Jedis keeps a reply's error code as the start of the message; it has no class for these.
    return e instanceof JedisDataException
        && e.getMessage() != null
        && e.getMessage().startsWith(code);
  }

  /**
   * The server's reply in {@code e}, with the refusals behind an aborted transaction: {@code
   * -EXECABORT} alone does not say why (-OOM, -READONLY, -LOADING, -NOPERM).
   */
  static String replyText(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable refusal : e.getSuppressed()) {
      if (refusal instanceof JedisDataException) {
        text.append(": ").append(refusal.getMessage());
        break; // the first names the cause; the rest repeat it for every queued command
      }
    }
    return text.toString();
  }

  private static String text(Object field) {
    return field instanceof byte[] bytes ? SafeEncoder.encode(bytes) : String.valueOf(field);
  }
}
