package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ConnectorTasksCheck} found: for which worker (null: the whole cluster), the worst
 * status, why (one reason per problem, naming the connector and its tasks), and each snapshotter
 * connector's state and task counts.
 */
record TasksVerdict(
    String workerId,
    HealthStatus status,
    List<String> reasons,
    List<Map<String, Object>> connectors) {

  /**
   * The fields the health checks append to their own: {@code scope}, {@code worker_id}, {@code
   * connectors}, {@code reasons}.
   */
  Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("scope", workerId == null ? "cluster" : "worker");
    fields.put("worker_id", workerId);
    fields.put("connectors", connectors);
    fields.put("reasons", reasons);
    return fields;
  }

  static final class Builder {
    private final String workerId;
    private HealthStatus status = HealthStatus.HEALTHY;
    private final List<String> reasons = new ArrayList<>();
    private final List<Map<String, Object>> connectors = new ArrayList<>();

    /** For the worker {@code workerId}; null for the whole cluster. */
    Builder(String workerId) {
      this.workerId = workerId;
    }

    void problem(HealthStatus severity, String reason) {
      status = status.worse(severity);
      reasons.add(reason);
    }

    /**
     * A connector's counts: {@code tasksHere} are its tasks on the worker judged (all of them for
     * the cluster).
     */
    void connector(String name, String state, int expectedTasks, int runningTasks, int tasksHere) {
      Map<String, Object> connector = new LinkedHashMap<>();
      connector.put("name", name);
      connector.put("state", state);
      connector.put("expected_tasks", expectedTasks);
      connector.put("running_tasks", runningTasks);
      if (workerId != null) {
        connector.put("tasks_on_this_worker", tasksHere);
      }
      connectors.add(connector);
    }

    TasksVerdict build() {
      return new TasksVerdict(workerId, status, List.copyOf(reasons), List.copyOf(connectors));
    }
  }
}
