package io.prism.snapshotter.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Just enough of a Connect worker's context to drive a sink task without a worker: an assignment,
 * an optional dead letter queue reporter, and a record of what the task paused.
 */
public final class StubSinkTaskContext implements SinkTaskContext {
  private final Map<String, String> configs;
  private final Set<TopicPartition> assignment;
  private final Set<TopicPartition> paused = new HashSet<>();
  private final List<Long> timeouts = new ArrayList<>();
  private ErrantRecordReporter reporter;

  public StubSinkTaskContext(Map<String, String> configs, Set<TopicPartition> assignment) {
    this.configs = configs;
    this.assignment = new HashSet<>(assignment);
  }

  /** The reporter the task gets from {@link #errantRecordReporter()}; {@code null}: none. */
  public void reporter(ErrantRecordReporter reporter) {
    this.reporter = reporter;
  }

  /** Adds partitions to the assignment, as a rebalance does before the task's {@code open}. */
  public void assign(TopicPartition... partitions) {
    assignment.addAll(List.of(partitions));
  }

  /** The partitions the task has paused and not resumed. */
  public Set<TopicPartition> paused() {
    return paused;
  }

  @Override
  public Map<String, String> configs() {
    return configs;
  }

  @Override
  public void offset(Map<TopicPartition, Long> offsets) {}

  @Override
  public void offset(TopicPartition tp, long offset) {}

  @Override
  public void timeout(long timeoutMs) {
    timeouts.add(timeoutMs);
  }

  /** Every back-off the task asked for ({@link #timeout}), in order. */
  public List<Long> timeouts() {
    return timeouts;
  }

  @Override
  public Set<TopicPartition> assignment() {
    return assignment;
  }

  @Override
  public void pause(TopicPartition... partitions) {
    paused.addAll(List.of(partitions));
  }

  @Override
  public void resume(TopicPartition... partitions) {
    paused.removeAll(List.of(partitions));
  }

  @Override
  public void requestCommit() {}

  @Override
  public ErrantRecordReporter errantRecordReporter() {
    return reporter;
  }

  @Override
  public PluginMetrics pluginMetrics() {
    return null;
  }
}
