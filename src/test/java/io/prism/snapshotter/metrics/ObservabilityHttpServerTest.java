package io.prism.snapshotter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What is known beyond this process's tasks (the local run's worker: the tasks its connector should
 * run) reaches {@code /health/buffers|storage|index}: a task that failed no longer reports anything
 * itself, so without it the checks would answer healthy.
 */
class ObservabilityHttpServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theChecksOverTheTasksTakeWhatIsKnownBeyondThem() throws Exception {
    try (ObservabilityHttpServer http =
        ObservabilityHttpServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            Map.of("extra", () -> new HealthEndpoint.Report(HealthStatus.HEALTHY, Map.of())),
            report ->
                report.with(
                    HealthStatus.UNHEALTHY,
                    Map.of("reasons", List.of("task 0 of connector 'c' failed"))))) {
      for (String check : List.of("buffers", "storage", "index")) {
        HttpResponse<String> response = get(http, "/health/" + check);
        assertThat(response.statusCode()).as(check).isEqualTo(503);
        assertThat(response.body())
            .contains("\"status\":\"unhealthy\"")
            .contains("\"reasons\":[\"task 0 of connector 'c' failed\"]");
      }
      assertThat(get(http, "/health/extra").statusCode())
          .as("a caller's own check is its own")
          .isEqualTo(200);
    }
  }

  private static HttpResponse<String> get(ObservabilityHttpServer http, String path)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
