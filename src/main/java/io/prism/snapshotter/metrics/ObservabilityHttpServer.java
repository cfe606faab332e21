package io.prism.snapshotter.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} (Prometheus text format) and {@code /health/buffers|storage|index} (JSON) on
 * {@code http.listen}, for the local run and the front door, plus the checks a caller adds (the
 * front door's {@code /health/frontdoor}). Plain HTTP on loopback by default: it serves counts and
 * states, never event data or settings.
 */
public final class ObservabilityHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObservabilityHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock clock;

  private ObservabilityHttpServer(HttpServer server, ExecutorService executor, Clock clock) {
    this.server = server;
    this.executor = executor;
    this.clock = clock;
  }

  public static ObservabilityHttpServer start(InetSocketAddress address) throws IOException {
    return start(address, Map.of());
  }

  /**
   * Also serves {@code /health/<name>} for each of {@code checks} (the front door's own readiness,
   * say): a report per request, 503 when unhealthy.
   */
  public static ObservabilityHttpServer start(
      InetSocketAddress address, Map<String, Supplier<HealthEndpoint.Report>> checks)
      throws IOException {
    return start(address, checks, UnaryOperator.identity());
  }

  /**
   * As {@link #start(InetSocketAddress, Map)}, with each of {@code /health/buffers|storage|index}
   * passed through {@code beyondThisProcess}: what is known beyond this process's tasks (the local
   * run's Connect worker adds the tasks its connector should run, which a failed task no longer
   * reports itself).
   */
  public static ObservabilityHttpServer start(
      InetSocketAddress address,
      Map<String, Supplier<HealthEndpoint.Report>> checks,
      UnaryOperator<HealthEndpoint.Report> beyondThisProcess)
      throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    // One thread: scrapes and health checks are rare and cheap.
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "snapshotter-http");
              thread.setDaemon(true);
              return thread;
            });
    ObservabilityHttpServer http = new ObservabilityHttpServer(server, executor, Clock.systemUTC());
    server.setExecutor(executor);
    server.createContext("/metrics", http::metrics);
    for (HealthEndpoint endpoint : HealthEndpoint.values()) {
      server.createContext(
          "/health/" + endpoint.path(),
          exchange ->
              http.health(
                  exchange,
                  endpoint.path(),
                  () -> beyondThisProcess.apply(endpoint.report(http.clock))));
    }
    checks.forEach(
        (name, check) ->
            server.createContext(
                "/health/" + name, exchange -> http.health(exchange, name, check)));
    server.start();
    List<String> names = new ArrayList<>();
    for (HealthEndpoint endpoint : HealthEndpoint.values()) {
      names.add(endpoint.path());
    }
    names.addAll(checks.keySet());
    log.info(
        "Metrics and health on http://{}:{}/metrics and /health/{{}}",
        address.getHostString(),
        server.getAddress().getPort(),
        String.join(",", names));
    return http;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void metrics(HttpExchange exchange) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    writer.write(body, SnapshotterMetrics.REGISTRY.scrape());
    respond(exchange, 200, writer.getContentType(), body.toByteArray());
  }

  private void health(HttpExchange exchange, String path, Supplier<HealthEndpoint.Report> check)
      throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/health/" + path)) {
      respond(
          exchange,
          404,
          "text/plain; charset=utf-8",
          "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    HealthEndpoint.Report report = check.get();
    respond(
        exchange,
        report.httpStatus(),
        "application/json",
        report.json().getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
