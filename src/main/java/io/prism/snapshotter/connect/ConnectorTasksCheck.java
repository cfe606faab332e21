package io.prism.snapshotter.connect;

import io.prism.snapshotter.config.MetricsConfig;
import io.prism.snapshotter.metrics.HealthStatus;
import io.prism.snapshotter.util.Causes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.health.TaskState;

/**
 * Whether the snapshotter connectors of the Connect cluster run the tasks they should, judged for
 * one worker or for the whole cluster. The buffer, storage and index checks only see the tasks that
 * run in this worker: with none running (every task failed, or never assigned) they have nothing to
 * report and would say healthy. The worker's cluster state knows each connector's {@code
 * tasks.max}, and the state of every task and the worker it is on.
 *
 * <p>Rules, per snapshotter connector (other connectors are ignored):
 *
 * <ul>
 *   <li>connector {@code FAILED}, a task {@code FAILED}, or a task of {@code 0..tasks.max-1} with
 *       no state at all for longer than the connector's {@link MetricsConfig#HEALTH_TASKS_GRACE}
 *       (30 s by default) after this check first saw the connector (or its {@code tasks.max}
 *       change): {@code unhealthy};
 *   <li>connector or task {@code UNASSIGNED} / {@code RESTARTING} (a rebalance, a restart), a task
 *       still {@code PAUSED} while its connector runs, a connector with no status yet (just
 *       created), a task with no state within that grace: {@code degraded};
 *   <li>connector {@code PAUSED} or {@code STOPPED}: healthy, its tasks are not expected to run (an
 *       operator's choice; its state shows in {@code connectors});
 *   <li>no snapshotter connector in the cluster: healthy, nothing is expected.
 * </ul>
 *
 * <p>Judged for one worker ({@link #checkWorker}), only what is on that worker counts: its tasks
 * (each task state names its worker), and the connector's own state and its missing tasks only on
 * the worker that runs the connector instance (the one whose connector makes the task configs), so
 * a task failed elsewhere leaves this worker healthy. Judged for the cluster ({@link #check}),
 * everything counts everywhere.
 *
 * <p>A restarted worker's check starts with no sightings, so each connector gets the grace again
 * from its first look: it cannot tell a connector created a moment before its start from an old one
 * (a standalone worker creates its connectors at every start), and a task missing for long is then
 * reported at most one grace later, while a false {@code unhealthy} for a connector still settling
 * would take a worker out of service for nothing.
 */
final class ConnectorTasksCheck {
  /** Kafka Connect's own default for {@code tasks.max}. */
  private static final int DEFAULT_TASKS_MAX = 1;

  private static final int MAX_LINE_CHARS = 300;
  private static final String CAUSED_BY = "Caused by: ";

  private final ConnectClusterState cluster;
  private final Clock clock;

  /** When this check first saw each connector with its current {@code tasks.max}. */
  private final Map<String, Sighting> firstSeen = new HashMap<>();

  private record Sighting(int expectedTasks, long sinceMillis) {}

  ConnectorTasksCheck(ConnectClusterState cluster) {
    this(cluster, Clock.systemUTC());
  }

  ConnectorTasksCheck(ConnectClusterState cluster, Clock clock) {
    this.cluster = cluster;
    this.clock = clock;
  }

  /** Judged for the whole cluster: a problem on any worker counts. */
  TasksVerdict check() {
    return check(null);
  }

  /** Judged for the worker {@code workerId} ({@code host:port}): only what is on it counts. */
  TasksVerdict checkWorker(String workerId) {
    return check(Objects.requireNonNull(workerId, "workerId"));
  }

  private TasksVerdict check(String worker) {
    TasksVerdict.Builder verdict = new TasksVerdict.Builder(worker);
    Collection<String> names;
    try {
      names = cluster.connectors();
    } catch (RuntimeException e) {
      verdict.problem(
          HealthStatus.DEGRADED, "cannot list the cluster's connectors: " + e.getMessage());
      return verdict.build();
    }
    forgetAllBut(names);
    for (String name : new TreeSet<>(names)) {
      Map<String, String> config;
      try {
        config = cluster.connectorConfig(name);
      } catch (RuntimeException e) {
        if (!isNotFound(e)) {
          verdict.problem(
              HealthStatus.DEGRADED,
              "cannot read the config of connector '" + name + "': " + e.getMessage());
        }
        continue; // deleted since the listing: nothing is expected of it
      }
      if (config != null && isSnapshotter(config.get("connector.class"))) {
        judge(name, config, worker, verdict);
      }
    }
    return verdict.build();
  }

  /** A connector deleted and created again under its name is new again. */
  private synchronized void forgetAllBut(Collection<String> names) {
    firstSeen.keySet().retainAll(new HashSet<>(names));
  }

  /** How long ago this check first saw the connector with {@code expected} tasks. */
  private synchronized Duration seenFor(String name, int expected) {
    long now = clock.millis();
    Sighting sighting = firstSeen.get(name);
    if (sighting == null || sighting.expectedTasks() != expected) {
      sighting = new Sighting(expected, now);
      firstSeen.put(name, sighting);
    }
    return Duration.ofMillis(Math.max(0, now - sighting.sinceMillis()));
  }

  private void judge(
      String name, Map<String, String> config, String worker, TasksVerdict.Builder verdict) {
    ConnectorHealth health;
    try {
      health = cluster.connectorHealth(name);
    } catch (RuntimeException e) {
      // A connector created a moment ago has no status yet; one deleted meanwhile neither.
      verdict.connector(name, "NONE", 0, 0, 0);
      verdict.problem(
          HealthStatus.DEGRADED, "connector '" + name + "' has no status yet: " + e.getMessage());
      return;
    }
    String state = health.connectorState().state();
    String connectorWorker = health.connectorState().workerId();
    // Judged for a worker: the connector instance's own state and its missing tasks are the
    // problem of the worker that runs it, each task's the problem of the worker it is on.
    boolean connectorHere = worker == null || worker.equals(connectorWorker);
    Map<Integer, TaskState> tasks = new TreeMap<>(health.tasksState());
    int expected = tasksMax(name, config, tasks, verdict);
    Duration seenFor = seenFor(name, expected);
    Duration grace = grace(name, config, verdict);
    int running = (int) tasks.values().stream().filter(t -> "RUNNING".equals(t.state())).count();
    int here = (int) tasks.values().stream().filter(t -> worker == null || isOn(t, worker)).count();
    verdict.connector(name, state, expected, running, here);
    switch (state) {
      case "RUNNING" ->
          judgeTasks(name, expected, tasks, worker, connectorHere, seenFor, grace, verdict);
      case "PAUSED", "STOPPED" -> {} // the operator's choice: no task is expected to run
      case "FAILED" -> {
        if (connectorHere) {
          verdict.problem(
              HealthStatus.UNHEALTHY,
              "connector '"
                  + name
                  + "' failed on worker "
                  + connectorWorker
                  + ": "
                  + summary(health.connectorState().traceMessage()));
        }
      }
      default -> {
        if (connectorHere) {
          verdict.problem(
              HealthStatus.DEGRADED,
              "connector '" + name + "' is " + state + " (on worker " + connectorWorker + ")");
        }
      }
    }
  }

  private static void judgeTasks(
      String name,
      int expected,
      Map<Integer, TaskState> tasks,
      String worker,
      boolean connectorHere,
      Duration seenFor,
      Duration grace,
      TasksVerdict.Builder verdict) {
    List<Integer> absent = new ArrayList<>();
    for (int id = 0; id < expected; id++) {
      if (!tasks.containsKey(id)) {
        absent.add(id);
      }
    }
    if (!absent.isEmpty() && connectorHere) {
      boolean settling = seenFor.compareTo(grace) < 0;
      verdict.problem(
          settling ? HealthStatus.DEGRADED : HealthStatus.UNHEALTHY,
          "connector '"
              + name
              + "' has "
              + (expected - absent.size())
              + " of its "
              + expected
              + " tasks (tasks.max): no task "
              + absent
              + " in the cluster"
              + (settling
                  ? " yet; this worker's checks first saw the connector (or its tasks.max) "
                      + seenFor.toSeconds()
                      + " s ago: unhealthy if still missing after "
                      + grace.toSeconds()
                      + " s ("
                      + MetricsConfig.HEALTH_TASKS_GRACE
                      + ")"
                  : ""));
    }
    for (TaskState task : tasks.values()) {
      if (worker != null && !isOn(task, worker)) {
        continue; // another worker's task: its own health check says how it is
      }
      String label = "task " + task.taskId() + " of connector '" + name + "'";
      switch (task.state()) {
        case "RUNNING" -> {}
        case "FAILED" ->
            verdict.problem(
                HealthStatus.UNHEALTHY,
                label
                    + " failed on worker "
                    + task.workerId()
                    + ": "
                    + summary(task.traceMessage()));
        default ->
            verdict.problem(
                HealthStatus.DEGRADED,
                label + " is " + task.state() + " (on worker " + task.workerId() + ")");
      }
    }
  }

  private static boolean isOn(TaskState task, String worker) {
    return worker.equals(task.workerId());
  }

  /**
   * The tasks the connector should run: {@code tasks.max}, as the snapshotter connector makes
   * exactly that many. Unreadable (a config provider's placeholder), the tasks the cluster knows.
   */
  private static int tasksMax(
      String name,
      Map<String, String> config,
      Map<Integer, TaskState> tasks,
      TasksVerdict.Builder verdict) {
    String value = config.get("tasks.max");
    if (value == null) {
      return DEFAULT_TASKS_MAX;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      verdict.problem(
          HealthStatus.DEGRADED,
          "connector '"
              + name
              + "': tasks.max '"
              + value
              + "' is not a number; only the tasks the cluster knows are checked");
      return tasks.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }
  }

  /**
   * The connector's {@link MetricsConfig#HEALTH_TASKS_GRACE}; unreadable (a config provider's
   * placeholder: Connect refuses a bad value when the connector is made), the default.
   */
  private static Duration grace(
      String name, Map<String, String> config, TasksVerdict.Builder verdict) {
    try {
      return MetricsConfig.healthTasksGrace(config);
    } catch (ConfigException e) {
      Duration grace = MetricsConfig.DEFAULT_HEALTH_TASKS_GRACE;
      verdict.problem(
          HealthStatus.DEGRADED,
          "connector '"
              + name
              + "': "
              + e.getMessage()
              + "; missing tasks get the default grace of "
              + grace.toSeconds()
              + " s");
      return grace;
    }
  }

  /** The class name as Connect takes it: fully qualified, simple, or simple without "Connector". */
  static boolean isSnapshotter(String connectorClass) {
    if (connectorClass == null) {
      return false;
    }
    String name = connectorClass.trim();
    Class<SnapshotterSinkConnector> ours = SnapshotterSinkConnector.class;
    String simple = ours.getSimpleName();
    return name.equals(ours.getName())
        || name.equals(simple)
        || name.equals(simple.substring(0, simple.length() - "Connector".length()));
  }

  private static boolean isNotFound(Throwable e) {
    return Causes.has(e, NotFoundException.class);
  }

  /**
   * A failure's trace in one line: its first (the exception and message, often Connect's own
   * "Exiting WorkerSinkTask due to unrecoverable exception") and its root cause's, which says what
   * went wrong; each kept short.
   */
  static String summary(String trace) {
    if (trace == null || trace.isBlank()) {
      return "no reason recorded";
    }
    List<String> lines = trace.strip().lines().map(String::strip).toList();
    String first = shorten(lines.get(0));
    String root = null;
    for (String line : lines) {
      if (line.startsWith(CAUSED_BY)) {
        root = line.substring(CAUSED_BY.length());
      }
    }
    return root == null ? first : first + " (root cause: " + shorten(root) + ")";
  }

  private static String shorten(String line) {
    return line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS) + "...";
  }
}
