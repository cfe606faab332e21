package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.MetricsConfig;
import io.prism.snapshotter.metrics.HealthStatus;
import io.prism.snapshotter.testing.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.health.ConnectorState;
import org.apache.kafka.connect.health.ConnectorType;
import org.apache.kafka.connect.health.TaskState;
import org.junit.jupiter.api.Test;

/** What the health checks learn from the cluster state about the tasks that should run. */
class ConnectorTasksCheckTest {
  private final FakeCluster cluster = new FakeCluster();
  private final ManualClock clock = new ManualClock();
  private final ConnectorTasksCheck check = new ConnectorTasksCheck(cluster, clock);
  private static final Duration GRACE = MetricsConfig.DEFAULT_HEALTH_TASKS_GRACE;

  @Test
  void noConnectorAtAllExpectsNothing() {
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(verdict.reasons()).isEmpty();
    assertThat(verdict.connectors()).isEmpty();
  }

  @Test
  void everyTaskRunningIsHealthy() {
    cluster.add("sink", snapshotter(2), "RUNNING", task(0, "RUNNING"), task(1, "RUNNING"));
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(verdict.reasons()).isEmpty();
    assertThat(verdict.connectors())
        .containsExactly(
            Map.of("name", "sink", "state", "RUNNING", "expected_tasks", 2, "running_tasks", 2));
  }

  @Test
  void aFailedTaskIsUnhealthyNamingConnectorTaskWorkerAndCause() {
    cluster.add(
        "sink",
        snapshotter(2),
        "RUNNING",
        task(0, "RUNNING"),
        new TaskState(
            1,
            "FAILED",
            "worker-b:8083",
            "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask\n"
                + "\tat Foo.bar(Foo.java:1)\n"
                + "Caused by: org.apache.kafka.connect.errors.ConnectException: wrapped\n"
                + "\tat Foo.baz(Foo.java:2)\n"
                + "Caused by: io.prism.BadRecordException: no writer id\n"
                + "\tat Foo.qux(Foo.java:3)\n"));
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(verdict.reasons())
        .containsExactly(
            "task 1 of connector 'sink' failed on worker worker-b:8083: "
                + "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask"
                + " (root cause: io.prism.BadRecordException: no writer id)");
    assertThat(verdict.connectors().get(0)).containsEntry("running_tasks", 1);
  }

  @Test
  void noTaskAtAllIsUnhealthy() {
    // The one-worker deployment whose connector runs but whose tasks are gone.
    cluster.add("sink", snapshotter(3), "RUNNING", task(1, "RUNNING"));
    check.check();
    clock.advance(GRACE.toMillis());
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(verdict.reasons())
        .containsExactly(
            "connector 'sink' has 1 of its 3 tasks (tasks.max): no task [0, 2] in the cluster");
  }

  @Test
  void tasksMaxDefaultsToConnectsOwnDefault() {
    Map<String, String> config = snapshotter(1);
    config.remove("tasks.max");
    cluster.add("sink", config, "RUNNING");
    check.check();
    clock.advance(GRACE.toMillis());
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(verdict.connectors().get(0)).containsEntry("expected_tasks", 1);
  }

  @Test
  void aFailedConnectorIsUnhealthy() {
    cluster.add("sink", snapshotter(1), new ConnectorState("FAILED", "w1", "ConfigException: bad"));
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(verdict.reasons())
        .containsExactly("connector 'sink' failed on worker w1: ConfigException: bad");
  }

  @Test
  void aPausedOrStoppedConnectorExpectsNoRunningTask() {
    cluster.add("paused", snapshotter(2), "PAUSED", task(0, "PAUSED"), task(1, "PAUSED"));
    cluster.add("stopped", snapshotter(2), "STOPPED");
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(verdict.connectors())
        .extracting(c -> c.get("name") + "=" + c.get("state"))
        .containsExactly("paused=PAUSED", "stopped=STOPPED");
  }

  @Test
  void aRebalanceIsDegradedNotUnhealthy() {
    cluster.add("sink", snapshotter(2), "RUNNING", task(0, "RUNNING"), task(1, "UNASSIGNED"));
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(verdict.reasons()).singleElement().asString().contains("task 1", "UNASSIGNED");
  }

  @Test
  void otherConnectorsAreNotJudged() {
    Map<String, String> other = new HashMap<>();
    other.put("connector.class", "org.example.OtherSink");
    other.put("tasks.max", "4");
    cluster.add("other", other, "RUNNING", task(0, "FAILED"));
    Map<String, String> alias = snapshotter(1);
    alias.put("connector.class", "SnapshotterSink");
    cluster.add("aliased", alias, "RUNNING", task(0, "RUNNING"));
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(verdict.connectors()).extracting(c -> c.get("name")).containsExactly("aliased");
  }

  @Test
  void aConnectorDeletedMeanwhileIsSkippedAndAnUnreadableClusterIsDegraded() {
    cluster.add("sink", snapshotter(1), "RUNNING", task(0, "RUNNING"));
    cluster.gone = "deleted";
    assertThat(check.check().status()).isEqualTo(HealthStatus.HEALTHY);
    cluster.listingFails = true;
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(verdict.reasons()).singleElement().asString().contains("cannot list");
  }

  /** Kubernetes probes every worker: one failed task must not take every worker out of service. */
  @Test
  void aTaskFailedOnAnotherWorkerLeavesThisWorkerHealthyButNotTheCluster() {
    cluster.add(
        "sink",
        snapshotter(2),
        "RUNNING",
        new TaskState(0, "RUNNING", "worker-a:8083", null),
        new TaskState(1, "FAILED", "worker-b:8083", "ConnectException: no writer id"));
    TasksVerdict onA = check.checkWorker("worker-a:8083");
    assertThat(onA.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(onA.reasons()).isEmpty();
    assertThat(onA.fields())
        .containsEntry("scope", "worker")
        .containsEntry("worker_id", "worker-a:8083");
    assertThat(onA.connectors().get(0))
        .containsEntry("running_tasks", 1)
        .containsEntry("tasks_on_this_worker", 1);

    TasksVerdict onB = check.checkWorker("worker-b:8083");
    assertThat(onB.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(onB.reasons())
        .containsExactly(
            "task 1 of connector 'sink' failed on worker worker-b:8083: ConnectException: no writer id");

    TasksVerdict whole = check.check();
    assertThat(whole.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(whole.fields()).containsEntry("scope", "cluster").containsEntry("worker_id", null);
    assertThat(whole.connectors().get(0)).doesNotContainKey("tasks_on_this_worker");
  }

  @Test
  void aWorkerWithNoTaskOfTheConnectorIsHealthyForIt() {
    cluster.add(
        "sink", snapshotter(1), "RUNNING", new TaskState(0, "UNASSIGNED", "worker-a:8083", null));
    assertThat(check.checkWorker("worker-c:8083").status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(check.checkWorker("worker-a:8083").status()).isEqualTo(HealthStatus.DEGRADED);
  }

  @Test
  void aFailedConnectorIsUnhealthyOnlyOnTheWorkerRunningIt() {
    cluster.add(
        "sink",
        snapshotter(1),
        new ConnectorState("FAILED", "worker-a:8083", "ConfigException: bad"));
    assertThat(check.checkWorker("worker-b:8083").status()).isEqualTo(HealthStatus.HEALTHY);
    TasksVerdict onA = check.checkWorker("worker-a:8083");
    assertThat(onA.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(onA.reasons())
        .containsExactly("connector 'sink' failed on worker worker-a:8083: ConfigException: bad");
  }

  /** A missing task belongs to no worker: it counts where the connector instance runs. */
  @Test
  void missingTasksCountOnTheWorkerRunningTheConnector() {
    cluster.add(
        "sink",
        snapshotter(2),
        new ConnectorState("RUNNING", "worker-a:8083", null),
        new TaskState(0, "RUNNING", "worker-b:8083", null));
    check.check();
    clock.advance(GRACE.toMillis());
    assertThat(check.checkWorker("worker-b:8083").status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(check.checkWorker("worker-a:8083").reasons())
        .containsExactly(
            "connector 'sink' has 1 of its 2 tasks (tasks.max): no task [1] in the cluster");
    assertThat(check.checkWorker("worker-a:8083").status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  /**
   * Just created, a connector has no task state for a moment (its connector makes the task configs,
   * a rebalance assigns them): degraded for the grace period, unhealthy after it.
   */
  @Test
  void tasksOfANewConnectorGetAGracePeriodThenCountAsMissing() {
    cluster.add("sink", snapshotter(2), "RUNNING");
    TasksVerdict justCreated = check.check();
    assertThat(justCreated.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(justCreated.reasons())
        .singleElement()
        .asString()
        .startsWith(
            "connector 'sink' has 0 of its 2 tasks (tasks.max): no task [0, 1] in the cluster yet")
        .contains(
            "this worker's checks first saw the connector (or its tasks.max) 0 s ago",
            "unhealthy if still missing after 30 s (metrics.health.tasks.grace.seconds)");
    assertThat(check.checkWorker("worker-a:8083").status()).isEqualTo(HealthStatus.DEGRADED);

    clock.advance(GRACE.toMillis() - 1);
    assertThat(check.check().status()).isEqualTo(HealthStatus.DEGRADED);
    clock.advance(1);
    assertThat(check.check().status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(check.checkWorker("worker-a:8083").status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void aTaskMissingAfterTheGraceIsUnhealthyAtOnce() {
    cluster.add("sink", snapshotter(1), "RUNNING", task(0, "RUNNING"));
    assertThat(check.check().status()).isEqualTo(HealthStatus.HEALTHY);
    clock.advance(GRACE.toMillis());
    cluster.add("sink", snapshotter(1), "RUNNING"); // its task state gone
    assertThat(check.check().status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void moreTasksOrARecreatedConnectorGetTheGraceAgain() {
    cluster.add("sink", snapshotter(1), "RUNNING", task(0, "RUNNING"));
    check.check();
    clock.advance(GRACE.toMillis());
    cluster.add("sink", snapshotter(2), "RUNNING", task(0, "RUNNING")); // tasks.max 1 -> 2
    assertThat(check.check().status()).isEqualTo(HealthStatus.DEGRADED);
    clock.advance(GRACE.toMillis());
    assertThat(check.check().status()).isEqualTo(HealthStatus.UNHEALTHY);

    cluster.remove("sink");
    assertThat(check.check().status()).isEqualTo(HealthStatus.HEALTHY);
    cluster.add("sink", snapshotter(2), "RUNNING", task(0, "RUNNING")); // created again
    assertThat(check.check().status()).isEqualTo(HealthStatus.DEGRADED);
  }

  /** The grace is the connector's own: metrics.health.tasks.grace.seconds. */
  @Test
  void eachConnectorSetsItsOwnGrace() {
    Map<String, String> quick = snapshotter(1);
    quick.put(MetricsConfig.HEALTH_TASKS_GRACE, " 5 ");
    cluster.add("quick", quick, "RUNNING");
    Map<String, String> none = snapshotter(1);
    none.put(MetricsConfig.HEALTH_TASKS_GRACE, "0");
    cluster.add("none", none, "RUNNING");
    cluster.add("default", snapshotter(1), "RUNNING");

    TasksVerdict first = check.check();
    assertThat(first.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(first.reasons())
        .containsExactly(
            "connector 'default' has 0 of its 1 tasks (tasks.max): no task [0] in the cluster yet;"
                + " this worker's checks first saw the connector (or its tasks.max) 0 s ago:"
                + " unhealthy if still missing after 30 s (metrics.health.tasks.grace.seconds)",
            "connector 'none' has 0 of its 1 tasks (tasks.max): no task [0] in the cluster",
            "connector 'quick' has 0 of its 1 tasks (tasks.max): no task [0] in the cluster yet;"
                + " this worker's checks first saw the connector (or its tasks.max) 0 s ago:"
                + " unhealthy if still missing after 5 s (metrics.health.tasks.grace.seconds)");

    cluster.remove("none");
    clock.advance(Duration.ofSeconds(4).toMillis());
    assertThat(check.check().status()).isEqualTo(HealthStatus.DEGRADED);
    clock.advance(Duration.ofSeconds(1).toMillis());
    TasksVerdict afterFive = check.check();
    assertThat(afterFive.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(afterFive.reasons())
        .contains("connector 'quick' has 0 of its 1 tasks (tasks.max): no task [0] in the cluster");
  }

  /**
   * A placeholder of a config provider is not resolved in the stored config (Connect refuses any
   * other bad value when the connector is made): the default grace, and a reason that says so.
   */
  @Test
  void anUnreadableGraceIsTheDefaultAndSaysWhy() {
    Map<String, String> config = snapshotter(1);
    config.put(MetricsConfig.HEALTH_TASKS_GRACE, "${file:/etc/prism.properties:grace}");
    cluster.add("sink", config, "RUNNING", task(0, "RUNNING"));
    TasksVerdict verdict = check.check();
    assertThat(verdict.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(verdict.reasons())
        .singleElement()
        .asString()
        .startsWith("connector 'sink': ")
        .contains(
            "${file:/etc/prism.properties:grace}",
            "metrics.health.tasks.grace.seconds",
            "missing tasks get the default grace of 30 s");

    cluster.add("sink", config, "RUNNING"); // its task gone within the default grace
    assertThat(check.check().reasons()).anyMatch(r -> r.contains("after 30 s"));
  }

  /**
   * A restarted worker's check has seen nothing yet: it cannot tell a connector created a moment
   * before its start (every connector of a standalone worker) from an old one, so it gives each the
   * grace again; a task missing for long is reported at most one grace later.
   */
  @Test
  void aRestartedWorkerGivesEachConnectorTheGraceAgain() {
    cluster.add("sink", snapshotter(2), "RUNNING", task(0, "RUNNING"));
    check.check();
    clock.advance(GRACE.toMillis());
    assertThat(check.check().status()).isEqualTo(HealthStatus.UNHEALTHY);

    ConnectorTasksCheck restarted = new ConnectorTasksCheck(cluster, clock);
    TasksVerdict first = restarted.check();
    assertThat(first.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(first.reasons())
        .singleElement()
        .asString()
        .contains("this worker's checks first saw the connector (or its tasks.max) 0 s ago");
    clock.advance(GRACE.toMillis());
    assertThat(restarted.check().status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  private static Map<String, String> snapshotter(int tasksMax) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SnapshotterSinkConnector.class.getName());
    config.put("tasks.max", Integer.toString(tasksMax));
    return config;
  }

  private static TaskState task(int id, String state) {
    return new TaskState(id, state, "worker-a:8083", null);
  }

  private static final class FakeCluster implements ConnectClusterState {
    final Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    final Map<String, ConnectorHealth> health = new LinkedHashMap<>();
    String gone;
    boolean listingFails;

    void add(String name, Map<String, String> config, String state, TaskState... tasks) {
      add(name, config, new ConnectorState(state, "worker-a:8083", null), tasks);
    }

    void add(String name, Map<String, String> config, ConnectorState state, TaskState... tasks) {
      Map<Integer, TaskState> byId = new HashMap<>();
      for (TaskState task : tasks) {
        byId.put(task.taskId(), task);
      }
      configs.put(name, config);
      health.put(name, new ConnectorHealth(name, state, byId, ConnectorType.SINK));
    }

    void remove(String name) {
      configs.remove(name);
      health.remove(name);
    }

    @Override
    public java.util.Collection<String> connectors() {
      if (listingFails) {
        throw new ConnectException("herder busy");
      }
      java.util.List<String> names = new java.util.ArrayList<>(configs.keySet());
      if (gone != null) {
        names.add(gone);
      }
      return names;
    }

    @Override
    public ConnectorHealth connectorHealth(String name) {
      return health.get(name);
    }

    @Override
    public Map<String, String> connectorConfig(String name) {
      if (name.equals(gone)) {
        throw new ConnectException(
            "Failed to retrieve configuration", new NotFoundException("no " + name));
      }
      return configs.get(name);
    }
  }
}
