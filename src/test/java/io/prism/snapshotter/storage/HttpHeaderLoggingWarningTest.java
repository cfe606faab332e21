package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.CapturedLogs;
import java.net.URI;
import org.apache.kafka.common.config.types.Password;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Apache HttpClient 5 prints every request header at DEBUG, an S3 session token among them: a store
 * opened with that logging on says so, naming the loggers to set to INFO.
 */
class HttpHeaderLoggingWarningTest {
  private static final String HEADERS = "org.apache.hc.client5.http.headers";
  private final Level before = LogManager.getLogger(HEADERS).getLevel();

  @AfterEach
  void restoreLevel() {
    Configurator.setLevel(HEADERS, before);
  }

  @Test
  void anS3ClientBuiltWithHeaderLoggingOnWarnsNamingTheLoggers() {
    Configurator.setLevel(HEADERS, Level.DEBUG);
    try (CapturedLogs logs = CapturedLogs.capture();
        S3Client client = S3ObjectStore.buildClient(settings())) {
      assertThat(logs.lines())
          .filteredOn(line -> line.startsWith("WARN"))
          .singleElement()
          .asString()
          .contains("DEBUG logging of org.apache.hc.client5.http.headers is on")
          .contains("the S3 store")
          .contains("x-amz-security-token")
          .contains(
              "Set org.apache.hc.client5.http.headers and org.apache.hc.client5.http.wire to INFO")
          .doesNotContain("session-secret");
    }
  }

  @Test
  void withoutItNothingIsSaid() {
    Configurator.setLevel(HEADERS, Level.INFO);
    try (CapturedLogs logs = CapturedLogs.capture();
        S3Client client = S3ObjectStore.buildClient(settings())) {
      assertThat(logs.lines()).noneMatch(line -> line.contains("org.apache.hc.client5.http"));
    }
  }

  private static S3Settings settings() {
    return S3Settings.forBucket("b")
        .withEndpoint(URI.create("http://127.0.0.1:9"), true)
        .withRegion("us-east-1")
        .withCredentials("AKIDEXAMPLE", new Password("secret"), new Password("session-secret"));
  }
}
