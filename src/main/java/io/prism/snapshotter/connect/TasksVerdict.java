package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ConnectorTasksCheck} found: the worst status, why (one reason per problem, naming the
 * connector and its tasks), and each snapshotter connector's state and task counts.
 */
record TasksVerdict(
    HealthStatus status, List<String> reasons, List<Map<String, Object>> connectors) {

  /** The fields the health checks append to their own: {@code connectors}, {@code reasons}. */
  Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("connectors", connectors);
    fields.put("reasons", reasons);
    return fields;
  }

  static final class Builder {
    private HealthStatus status = HealthStatus.HEALTHY;
    private final List<String> reasons = new ArrayList<>();
    private final List<Map<String, Object>> connectors = new ArrayList<>();

    void problem(HealthStatus severity, String reason) {
      status = status.worse(severity);
      reasons.add(reason);
    }

    void connector(String name, String state, int expectedTasks, int runningTasks) {
      Map<String, Object> connector = new LinkedHashMap<>();
      connector.put("name", name);
      connector.put("state", state);
      connector.put("expected_tasks", expectedTasks);
      connector.put("running_tasks", runningTasks);
      connectors.add(connector);
    }

    TasksVerdict build() {
      return new TasksVerdict(status, List.copyOf(reasons), List.copyOf(connectors));
    }
  }
}
