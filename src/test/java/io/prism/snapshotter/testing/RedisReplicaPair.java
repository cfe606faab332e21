package io.prism.snapshotter.testing;

import java.nio.file.Path;

/**
 * A Redis primary and a replica of it, each a {@link RedisProcess} of the test's own, for the tests
 * of what the index does when the two differ (a replica written to, a replica that does not
 * acknowledge, a failover).
 */
public final class RedisReplicaPair implements AutoCloseable {
  private final RedisProcess primary;
  private final RedisProcess replica;

  private RedisReplicaPair(RedisProcess primary, RedisProcess replica) {
    this.primary = primary;
    this.replica = replica;
  }

  /**
   * Starts a primary in {@code dir/primary} and its replica in {@code dir/replica}, and returns
   * once the primary counts the replica online (its copy of the data in sync).
   */
  public static RedisReplicaPair startIn(Path dir) throws Exception {
    RedisProcess primary = RedisProcess.startIn(dir.resolve("primary"));
    RedisReplicaPair pair;
    try {
      pair =
          new RedisReplicaPair(
              primary, RedisProcess.startReplicaIn(dir.resolve("replica"), primary));
    } catch (Exception | Error e) {
      primary.stop();
      throw e;
    }
    try {
      primary.awaitOnlineReplicas(1);
    } catch (Exception | Error e) {
      pair.close();
      throw e;
    }
    return pair;
  }

  public RedisProcess primary() {
    return primary;
  }

  public RedisProcess replica() {
    return replica;
  }

  /** Stops the replica, then the primary, even when stopping the replica fails. */
  @Override
  public void close() throws Exception {
    try {
      replica.stop();
    } finally {
      primary.stop();
    }
  }
}
