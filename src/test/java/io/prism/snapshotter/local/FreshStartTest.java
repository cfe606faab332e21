package io.prism.snapshotter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code local --fresh} deletes the stack's state only when all of it is in the data directory. */
class FreshStartTest {
  @TempDir Path dir;
  LocalPaths paths;

  @BeforeEach
  void aDataDirectoryFromAnEarlierRun() throws Exception {
    paths = new LocalPaths(dir.resolve("data"));
    Files.createDirectories(paths.pages().resolve("events/0/w"));
    Files.writeString(paths.pages().resolve("events/0/w/0.pb.gz"), "page");
    Files.writeString(paths.indexDb(), "x");
  }

  private LocalSettings settings(Map<String, String> sets) {
    return LocalSettings.assemble(Optional.empty(), sets, paths);
  }

  @Test
  void withTheStoreAndIndexUnderTheDataDirectoryItIsDeleted() throws Exception {
    FreshStart.wipe(settings(Map.of()));

    assertThat(paths.data()).doesNotExist();
  }

  @Test
  void anIndexTurnedOffLeavesNothingElsewhere() throws Exception {
    FreshStart.wipe(settings(Map.of("index.backend", "none")));

    assertThat(paths.data()).doesNotExist();
  }

  @Test
  void aStoreKeptElsewhereIsRefusedAndNothingIsDeleted() {
    LocalSettings s3 =
        settings(Map.of("storage.backend", "minio", "storage.s3.bucket", "pages-of-last-week"));

    assertThatThrownBy(() -> FreshStart.wipe(s3))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--fresh deletes only " + paths.data())
        .hasMessageContaining("the store (storage.backend=s3)")
        .hasMessageContaining("nothing was deleted");
    assertThat(paths.pages().resolve("events/0/w/0.pb.gz")).hasContent("page");
  }

  @Test
  void anIndexKeptElsewhereIsRefusedAndNothingIsDeleted() {
    LocalSettings clickhouse =
        settings(
            Map.of(
                "index.backend", "clickhouse",
                "index.clickhouse.url", "http://127.0.0.1:8123",
                "index.secondary", "redis",
                "index.redis.url", "redis://127.0.0.1:6379"));

    assertThatThrownBy(() -> FreshStart.wipe(clickhouse))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("the page index (index.backend=clickhouse)")
        .hasMessageContaining("the secondary index (index.secondary=redis)")
        .hasMessageNotContaining("the store");
    assertThat(paths.indexDb()).exists();
    assertThat(paths.pages().resolve("events/0/w/0.pb.gz")).exists();
  }
}
