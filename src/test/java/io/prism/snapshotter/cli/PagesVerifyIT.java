package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.IndexEntry;
import io.prism.snapshotter.index.PageIndex;
import io.prism.snapshotter.index.PublishMode;
import io.prism.snapshotter.index.TimeRange;
import io.prism.snapshotter.page.Compression;
import io.prism.snapshotter.page.PageFormat;
import io.prism.snapshotter.sink.ReindexerTestPages;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.storage.ObjectStores;
import io.prism.snapshotter.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code snapshotter pages verify --repair} against a real Redis index (Debian's redis-server):
 * only the {@link PageIndex} interface is used, so what works here works on every backend.
 */
class PagesVerifyIT {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Path config, String... options) {
    out.reset();
    err.reset();
    PagesVerifyCommand command = new PagesVerifyCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    String[] args = new String[options.length + 2];
    args[0] = "--config";
    args[1] = config.toString();
    System.arraycopy(options, 0, args, 2, options.length);
    return new CommandLine(command).execute(args);
  }

  @Test
  void repairRemovesTheDanglingEntriesFromRedisAndNothingElse() throws Exception {
    Map<String, String> settings =
        Map.of(
            "storage.backend",
            "filesystem",
            "storage.filesystem.path",
            dir.resolve("pages").toString(),
            "index.backend",
            "redis",
            "index.redis.url",
            TestServices.redisUrl().toString(),
            "index.redis.key.prefix",
            "verify-" + UUID.randomUUID());
    Path config = dir.resolve("connector.properties");
    StringBuilder text = new StringBuilder();
    settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(config, text);
    List<IndexEntry> alice;
    String bobs;
    try (ObjectStore store = ObjectStores.open(new StorageConfig(settings));
        PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      ReindexerTestPages.store(store, index, PageFormat.PROTOBUF, Compression.ZSTD);
      alice = index.entries("alice", TimeRange.ALL);
      bobs = index.entries("bob", TimeRange.ALL).get(3).pageKey();
      store.delete(alice.get(0).pageKey());
      store.delete(alice.get(2).pageKey());
      store.delete(bobs);
    }

    assertThat(run(config)).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(66);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "dangling "
                + alice.get(0).pageKey()
                + " writer 'alice'\ndangling "
                + alice.get(2).pageKey()
                + " writer 'alice'\ndangling "
                + bobs
                + " writer 'bob'\n");

    assertThat(run(config, "--repair")).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .hasSize(3)
        .allMatch(l -> l.startsWith("removed "));
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("16 entries of 4 writers checked: 3 dangling (3 removed)");

    try (PageIndex index = new IndexConfig(settings).open(PublishMode.SYNC)) {
      assertThat(index.entries("alice", TimeRange.ALL)).containsExactly(alice.get(1), alice.get(3));
      assertThat(index.entries("bob", TimeRange.ALL)).hasSize(3);
      assertThat(index.entries("w'; DROP TABLE x; --", TimeRange.ALL)).hasSize(4);
    }
    assertThat(run(config)).as("a second look").isZero();
  }
}
