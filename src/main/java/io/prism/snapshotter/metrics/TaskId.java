package io.prism.snapshotter.metrics;

/** Which task of which connector a metric series belongs to. */
public record TaskId(String connector, String task) {
  public TaskId {
    if (connector == null || connector.isEmpty() || task == null || task.isEmpty()) {
      throw new IllegalArgumentException(
          "a task id needs a connector name and a task number, got '"
              + connector
              + "' '"
              + task
              + "'");
    }
  }

  @Override
  public String toString() {
    return connector + "-" + task;
  }
}
