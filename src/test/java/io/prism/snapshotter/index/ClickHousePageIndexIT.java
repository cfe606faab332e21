package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prism.snapshotter.testing.TestServices;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract against Debian's real ClickHouse server, as user {@code prism} with a password. */
class ClickHousePageIndexIT extends PageIndexContract {
  static final String DATABASE = "prism_it";
  String table;

  static ClickHouseSettings settings(String table) {
    return new ClickHouseSettings(TestServices.clickHouseUrl(), DATABASE, table, "prism", new Password("prism-secret"), 0);
  }

  @Override
  protected PageIndex newIndex() {
    table = "pages_" + UUID.randomUUID().toString().replace("-", "");
    return ClickHousePageIndex.open(settings(table));
  }

  @AfterEach
  void dropTable() throws Exception {
    http("DROP TABLE IF EXISTS " + DATABASE + "." + table);
  }

  @Test
  void hostileStringsRoundTripThroughTheServerAsLiterals() throws Exception {
    for (String value : HOSTILE_WRITER_IDS) {
      String answer = http("SELECT " + ClickHouseSql.quote(value) + " AS s FORMAT TSVRaw");
      assertThat(answer).isEqualTo(value + "\n");
    }
  }

  @Test
  void theTableIsAReplacingMergeTreePartitionedByMonth() throws Exception {
    String ddl = http("SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = '" + DATABASE
        + "' AND name = '" + table + "' FORMAT TSV");
    assertThat(ddl).isEqualTo("ReplacingMergeTree\ttoYYYYMM(start_time)\twriter_id, start_time_ms, page_sequence, page_key\n");
  }

  @Test
  void aWrongPasswordIsAnIndexErrorNamingTheServer() {
    var wrong = new ClickHouseSettings(TestServices.clickHouseUrl(), DATABASE, "t", "prism", new Password("nope"), 0);
    assertThatThrownBy(() -> ClickHousePageIndex.open(wrong))
        .isInstanceOf(IndexException.class)
        .hasMessageContaining(TestServices.clickHouseUrl().toString());
  }

  @Test
  void aServerDownAtOpenIsNoErrorUntilACallNeedsIt() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    URI down = URI.create("http://127.0.0.1:" + closedPort);
    try (ClickHousePageIndex index =
        ClickHousePageIndex.open(new ClickHouseSettings(down, DATABASE, "t", "prism", new Password("prism-secret"), 0))) {
      assertThatThrownBy(() -> index.publish(java.util.List.of(entry("w1", 1, 10, 20))))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(down.toString());
      assertThat(index.serverExpiresEntries()).isFalse();
    }
  }

  @Test
  void ttlNeedsAServerOfVersion19Point6OrLater() {
    assertThat(ClickHousePageIndex.supportsTtl("18.16.1")).isFalse();
    assertThat(ClickHousePageIndex.supportsTtl("19.5.3.8")).isFalse();
    assertThat(ClickHousePageIndex.supportsTtl("19.6.2.11")).isTrue();
    assertThat(ClickHousePageIndex.supportsTtl("25.3.1.1")).isTrue();
    assertThat(((ClickHousePageIndex) index).serverExpiresEntries()).isFalse();
  }

  /** A plain HTTP query as user default, bypassing the index's client. */
  static String http(String sql) throws Exception {
    URI uri = URI.create(TestServices.clickHouseUrl() + "/?wait_end_of_query=1&query="
        + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    HttpResponse<String> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new AssertionError("ClickHouse said " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

}
