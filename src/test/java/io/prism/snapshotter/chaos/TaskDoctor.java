package io.prism.snapshotter.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does what an operator's monitoring does: watches the connector's status over REST and restarts a
 * task that Connect reports FAILED (Connect never restarts one by itself). Each failure is recorded
 * with the first line of its trace, for the report: a FAILED task stops its share of the work until
 * someone restarts it, so every one is a finding even when nothing is lost.
 */
final class TaskDoctor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskDoctor.class);

  /** One task found FAILED. */
  record TaskFailure(double atSeconds, int task, String reason) {}

  private final ChaosDeployment deployment;
  private final long t0;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<TaskFailure> failures = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  TaskDoctor(ChaosDeployment deployment, long t0) {
    this.deployment = deployment;
    this.t0 = t0;
  }

  void start() {
    timer.scheduleWithFixedDelay(this::checkQuietly, 3, 3, TimeUnit.SECONDS);
  }

  synchronized List<TaskFailure> failures() {
    return List.copyOf(failures);
  }

  private synchronized void checkQuietly() {
    for (int w = 0; w < deployment.workers.size(); w++) {
      URI base = deployment.workerUrl(w);
      try {
        HttpResponse<String> status =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(base + "/connectors/" + ChaosDeployment.CONNECTOR + "/status"))
                    .timeout(Duration.ofSeconds(5))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (status.statusCode() != 200) {
          continue;
        }
        for (JsonNode task : json.readTree(status.body()).path("tasks")) {
          if ("FAILED".equals(task.path("state").asText())) {
            int id = task.path("id").asInt();
            String trace = task.path("trace").asText("");
            String reason = trace.lines().findFirst().orElse("(no trace)");
            failures.add(new TaskFailure((System.nanoTime() - t0) / 1e9, id, reason));
            log.warn("task {} FAILED ({}); restarting it over REST", id, reason);
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            base
                                + "/connectors/"
                                + ChaosDeployment.CONNECTOR
                                + "/tasks/"
                                + id
                                + "/restart"))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding());
          }
        }
        return; // one answering worker speaks for the cluster
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        log.debug(
            "status from {} failed: {}", base, e.toString()); // that worker is down; ask the other
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
