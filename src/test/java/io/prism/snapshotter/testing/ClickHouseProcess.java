package io.prism.snapshotter.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Stops and restarts the ClickHouse server that bin/lib/services.sh started, from its directory
 * ({@code PRISM_TEST_CLICKHOUSE_DIR}: config.xml and clickhouse.pid), for outage tests.
 */
public final class ClickHouseProcess {
  private final Path dir;
  private final URI url;

  public ClickHouseProcess(Path dir, URI url) {
    this.dir = dir;
    this.url = url;
  }

  public static ClickHouseProcess fromEnvironment() {
    return new ClickHouseProcess(TestServices.clickHouseDir(), TestServices.clickHouseUrl());
  }

  /**
   * SIGTERM, then SIGKILL if it is still shutting down after 10 s (it may wait long for open
   * connections), and waits until the process is gone.
   */
  public void stop() throws Exception {
    long pid = Long.parseLong(Files.readString(dir.resolve("clickhouse.pid")).trim());
    ProcessHandle process =
        ProcessHandle.of(pid)
            .orElseThrow(
                () -> new IllegalStateException("ClickHouse pid " + pid + " is not running"));
    process.destroy();
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException slow) {
      process.destroyForcibly();
      process.onExit().get(30, TimeUnit.SECONDS);
    }
  }

  /** Starts the server again with the same config, and waits until it answers. */
  public void start() throws Exception {
    Process start =
        new ProcessBuilder(
                "clickhouse-server",
                "--daemon",
                "--config-file=" + dir.resolve("config.xml"),
                "--pid-file=" + dir.resolve("clickhouse.pid"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!start.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("clickhouse-server --daemon did not return");
    }
    ConnectTestCluster.await(
        "ClickHouse answering at " + url, Duration.ofSeconds(30), this::answers);
  }

  public boolean answers() {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/ping"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
