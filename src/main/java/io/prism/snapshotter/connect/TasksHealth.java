package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthEndpoint;
import java.util.Map;
import org.apache.kafka.connect.health.ConnectClusterState;

/**
 * The tasks part of a worker's health checks: this worker's tasks by default (what a readiness
 * probe on every worker should see), the whole cluster's on request ({@code ?scope=cluster}).
 * Without a known id for this worker ({@link OwnWorkerId}) both are the whole cluster's.
 */
public final class TasksHealth {
  private final ConnectorTasksCheck check;
  private final OwnWorkerId self;

  TasksHealth(ConnectorTasksCheck check, OwnWorkerId self) {
    this.check = check;
    this.self = self;
  }

  /**
   * For a worker in this JVM ({@code bin/snapshotter local}): its cluster state and its config,
   * from which its id is worked out as the REST extension does. The worker runs {@link
   * HealthRestExtension}, which logs how it worked out the id; this says nothing, so each line is
   * logged once.
   */
  public static TasksHealth of(ConnectClusterState cluster, Map<String, ?> workerConfig) {
    return new TasksHealth(
        new ConnectorTasksCheck(cluster), OwnWorkerId.quietlyFromWorkerConfig(workerConfig));
  }

  /** {@code report} made worse by what this worker's tasks lack, with the fields that say why. */
  public HealthEndpoint.Report addTo(HealthEndpoint.Report report) {
    TasksVerdict verdict = verdict(false, 0);
    return report.with(verdict.status(), verdict.fields());
  }

  /**
   * The whole cluster's verdict, or this worker's: its id with the port a request was addressed to
   * when the configured one is 0 ({@code requestPort} 0 when there is no request).
   */
  TasksVerdict verdict(boolean wholeCluster, int requestPort) {
    if (wholeCluster) {
      return check.check();
    }
    String id = self.forRequestPort(requestPort);
    return id == null ? check.check() : check.checkWorker(id);
  }
}
