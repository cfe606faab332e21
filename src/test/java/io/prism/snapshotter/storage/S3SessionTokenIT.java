package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.testing.CapturedLogs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Temporary credentials given as settings ({@code storage.s3.session.token} with the access and
 * secret key), as a vault or a CI job hands them out: the store opened from the config sends the
 * token, signed, with every request, as read on the wire in front of a real S3 server (S3Proxy)
 * that checks the signatures; and the token shows in no log line and no error.
 */
class S3SessionTokenIT {
  private static final String TOKEN =
      "IQoJb3JpZ2luX2VjEPrismSessionTokenDoNotLog/aBcD+eFgH1234567890=";

  private static S3ProxyServer server;
  private static RecordingRelay relay;
  private static String bucket;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.startAcceptingSessionTokens();
    relay = RecordingRelay.inFrontOf(server.endpoint());
    bucket = server.newBucket();
  }

  @AfterAll
  static void stop() throws Exception {
    relay.close();
    server.close();
  }

  /** What a connector or a command reads: the S3 settings with temporary credentials. */
  private static Map<String, String> settings(URI endpoint, String secretKey) {
    Map<String, String> props = new HashMap<>();
    props.put("storage.backend", "s3");
    props.put("storage.s3.bucket", bucket);
    props.put("storage.s3.endpoint", endpoint.toString());
    props.put("storage.s3.region", "us-east-1");
    props.put("storage.s3.path.style", "true");
    props.put("storage.s3.access.key", S3ProxyServer.ACCESS_KEY);
    props.put("storage.s3.secret.key", secretKey);
    props.put("storage.s3.session.token", TOKEN);
    return props;
  }

  @Test
  void everyRequestCarriesTheSessionTokenAndItsSignatureCoversIt() throws Exception {
    int before = relay.requestHeads().size();
    try (ObjectStore store =
        ObjectStores.open(
            new StorageConfig(settings(relay.endpoint(), S3ProxyServer.SECRET_KEY)))) {
      byte[] page = "a page".getBytes(StandardCharsets.UTF_8);
      store.put("w/1", new ByteArrayInputStream(page), page.length, PutOptions.ifAbsent());
      try (InputStream in = store.get("w/1")) {
        assertThat(in.readAllBytes()).isEqualTo(page);
      }
      assertThat(store.head("w/1")).isPresent();
      assertThat(store.list("w/", 10, null).objects()).hasSize(1);
      assertThat(store.delete("w/1")).isTrue();
    }

    List<String> sent = relay.requestHeads();
    List<String> heads = sent.subList(before, sent.size());
    assertThat(heads).as("requests on the wire").hasSizeGreaterThanOrEqualTo(5);
    assertThat(heads)
        .allSatisfy(
            head -> {
              assertThat(
                      head.lines()
                          .filter(line -> line.toLowerCase().startsWith("x-amz-security-token:"))
                          .map(line -> line.substring(line.indexOf(':') + 1).trim()))
                  .as(head.lines().findFirst().orElseThrow())
                  .containsExactly(TOKEN);
              assertThat(head)
                  .containsPattern(
                      "(?i)authorization: AWS4-HMAC-SHA256 .*SignedHeaders=[^,]*x-amz-security-token");
            });
  }

  @Test
  void theSessionTokenIsInNoLogLineAndNoError() throws Exception {
    List<Throwable> errors = new ArrayList<>();
    List<String> lines;
    try (CapturedLogs logs = CapturedLogs.capture()) {
      try (ObjectStore store =
          ObjectStores.open(
              new StorageConfig(settings(relay.endpoint(), S3ProxyServer.SECRET_KEY)))) {
        store.put("k", new ByteArrayInputStream(new byte[] {1}), 1, PutOptions.ifAbsent());
        // Refused: a key that holds another object (412), and a missing object (404).
        errors.add(
            catchThrown(
                () ->
                    store.put(
                        "k", new ByteArrayInputStream(new byte[] {2}), 1, PutOptions.ifAbsent())));
        errors.add(catchThrown(() -> store.get("missing")));
      }
      // Refused credentials (403).
      try (ObjectStore wrong =
          ObjectStores.open(new StorageConfig(settings(relay.endpoint(), "not-the-secret")))) {
        errors.add(
            catchThrown(
                () ->
                    wrong.put(
                        "k2", new ByteArrayInputStream(new byte[] {1}), 1, PutOptions.defaults())));
        errors.add(catchThrown(() -> wrong.list("", 10, null)));
      }
      // Nothing listening.
      try (ObjectStore gone =
          ObjectStores.open(new StorageConfig(settings(unusedPort(), S3ProxyServer.SECRET_KEY)))) {
        errors.add(catchThrown(() -> gone.list("", 10, null)));
      }
      // Configuration errors: the token without keys, and a malformed token.
      Map<String, String> noKeys = settings(relay.endpoint(), S3ProxyServer.SECRET_KEY);
      noKeys.remove("storage.s3.access.key");
      noKeys.remove("storage.s3.secret.key");
      errors.add(catchThrown(() -> ObjectStores.open(new StorageConfig(noKeys))));
      Map<String, String> malformed = settings(relay.endpoint(), S3ProxyServer.SECRET_KEY);
      malformed.put("storage.s3.session.token", TOKEN + " " + TOKEN);
      errors.add(catchThrown(() -> new StorageConfig(malformed)));
      errors.forEach(
          e -> org.slf4j.LoggerFactory.getLogger(S3SessionTokenIT.class).error("Failed", e));
      lines = logs.lines();
    }

    assertThat(errors).doesNotContainNull().hasSize(7);
    assertThat(errors.stream().map(S3SessionTokenIT::withCauses))
        .allSatisfy(text -> assertThat(text).doesNotContain(TOKEN));
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).contains("Opened s3 object store s3://" + bucket));
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains(TOKEN));
  }

  private static Throwable catchThrown(Runnable action) {
    try {
      action.run();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** The error as a log line shows it: class, message and causes, with their stack traces. */
  private static String withCauses(Throwable error) {
    StringWriter text = new StringWriter();
    error.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  private static URI unusedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }
}
