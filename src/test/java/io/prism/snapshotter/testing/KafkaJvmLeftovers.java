package io.prism.snapshotter.testing;

import com.yammer.metrics.core.MetricName;
import com.yammer.metrics.core.MetricsRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.KafkaThread;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;

/**
 * What an in-JVM Kafka broker or Connect worker (Kafka's test kits) leaves in JVM-wide registries
 * after it stops, recorded from its start and released after its stop. All ITs share one JVM, and
 * each of these kept a whole stopped broker or worker (its clients, buffers and metrics) on the
 * heap until the JVM ended:
 *
 * <ul>
 *   <li>the broker's Yammer metrics stay in {@link KafkaYammerMetrics#defaultRegistry()} (a static
 *       registry): the broker's own gauges and its partitions' hold the broker;
 *   <li>every Connect worker adds a JVM shutdown hook at start ({@code Exit.addShutdownHook}) that
 *       its stop never removes: the hook holds the worker.
 * </ul>
 *
 * <p>A production worker or broker starts once per JVM, so it has nothing to release; this is for
 * tests that start and stop many in one JVM. Tests run one after another: whatever a cluster's
 * lifetime added to these registries is the cluster's.
 */
public final class KafkaJvmLeftovers implements AutoCloseable {
  /** Every shutdown hook Kafka code added in this JVM since the first cluster, in order. */
  private static final List<Thread> HOOKS = new ArrayList<>();

  private static boolean recordingHooks;

  private final Set<MetricName> metricsBefore;
  private final int hooksBefore;

  private KafkaJvmLeftovers() {
    metricsBefore = new HashSet<>(registry().allMetrics().keySet());
    synchronized (HOOKS) {
      hooksBefore = HOOKS.size();
    }
  }

  /** Starts recording; call before the cluster starts. */
  public static KafkaJvmLeftovers record() {
    synchronized (HOOKS) {
      if (!recordingHooks) {
        // Adds the hook as Kafka's default does, and remembers it so that it can be removed.
        Exit.setShutdownHookAdder(
            (name, runnable) -> {
              Thread hook =
                  name == null ? new Thread(runnable) : KafkaThread.nonDaemon(name, runnable);
              Runtime.getRuntime().addShutdownHook(hook);
              synchronized (HOOKS) {
                HOOKS.add(hook);
              }
            });
        recordingHooks = true;
      }
    }
    return new KafkaJvmLeftovers();
  }

  /** Releases what was added since {@link #record()}; call after the cluster stopped. */
  @Override
  public void close() {
    MetricsRegistry registry = registry();
    for (MetricName name : List.copyOf(registry.allMetrics().keySet())) {
      if (!metricsBefore.contains(name)) {
        registry.removeMetric(name);
      }
    }
    synchronized (HOOKS) {
      List<Thread> added = HOOKS.subList(Math.min(hooksBefore, HOOKS.size()), HOOKS.size());
      for (Thread hook : added) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException jvmShuttingDown) {
          // The hooks run now: nothing to release.
        }
      }
      added.clear();
    }
  }

  private static MetricsRegistry registry() {
    return KafkaYammerMetrics.defaultRegistry();
  }
}
