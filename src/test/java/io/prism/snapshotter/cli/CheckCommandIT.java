package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.testing.RestartableS3;
import io.prism.snapshotter.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code snapshotter check} against a real S3 server (S3Proxy), a real ClickHouse and a real Redis.
 */
class CheckCommandIT {
  private static RestartableS3 s3;
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @BeforeAll
  static void startS3() throws Exception {
    s3 = RestartableS3.start();
    s3.createBucket("checked");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  private String s3Settings(String secret) {
    return "storage.backend=s3\nstorage.s3.bucket=checked\nstorage.s3.endpoint="
        + s3.endpoint()
        + "\nstorage.s3.path.style=true\nstorage.s3.region=us-east-1\nstorage.s3.access.key="
        + RestartableS3.ACCESS_KEY
        + "\nstorage.s3.secret.key="
        + secret
        + "\n";
  }

  private static String clickHouseSettings(String password) {
    return "index.backend=clickhouse\nindex.clickhouse.url="
        + TestServices.clickHouseUrl()
        + "\nindex.clickhouse.user=prism\nindex.clickhouse.password="
        + password
        + "\nindex.clickhouse.database=prism_check\nindex.clickhouse.table=pages\n";
  }

  int run(String settings) throws Exception {
    Path config = dir.resolve("connector.properties");
    Files.writeString(config, settings);
    CheckCommand command = new CheckCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(out, true, StandardCharsets.UTF_8);
    return new CommandLine(command).execute("--config", config.toString());
  }

  String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void s3AndClickHouseThatWorkPassEveryCheck() throws Exception {
    assertThat(run(s3Settings(RestartableS3.SECRET_KEY) + clickHouseSettings("prism-secret")))
        .as(output())
        .isZero();
    assertThat(output())
        .contains("create-only  ok", "a second create-only write to the same key was refused")
        .contains("index    write", "All 9 checks passed");
  }

  @Test
  void s3AndRedisThatWorkPassEveryCheck() throws Exception {
    String redis =
        "index.backend=redis\nindex.redis.url="
            + TestServices.redisUrl()
            + "\nindex.redis.key.prefix=check\n";
    assertThat(run(s3Settings(RestartableS3.SECRET_KEY) + redis)).as(output()).isZero();
    assertThat(output()).contains("All 9 checks passed");
  }

  /**
   * A SQLite secondary whose file is not there yet is left uncreated, as a SQLite primary is: the
   * check made it (and the directories above it), owned by whoever ran the check. The primary is
   * probed all the same.
   */
  @Test
  void aSqliteSecondaryNotCreatedYetIsLeftUncreatedAndThePrimaryIsProbed() throws Exception {
    Path pages = Files.createDirectory(dir.resolve("pages"));
    Path secondary = dir.resolve("var/lib/prism/index.db");
    String settings =
        "storage.filesystem.path="
            + pages
            + "\nindex.backend=redis\nindex.redis.url="
            + TestServices.redisUrl()
            + "\nindex.redis.key.prefix=check-secondary\nindex.secondary=sqlite"
            + "\nindex.sqlite.path="
            + secondary
            + "\n";

    assertThat(run(settings)).as(output()).isZero();
    assertThat(output())
        .contains(
            "index    location     ok      "
                + secondary
                + " (index.sqlite.path, a secondary: probed without it) does not exist yet",
            "the sink creates it when it starts",
            "index    write        ok",
            "index    remove       ok")
        .doesNotContain("FAILED");
    assertThat(dir.resolve("var")).as("nothing created").doesNotExist();
  }

  @Test
  void azureThatWorksPassesEveryStorageCheckIncludingCreateOnly() throws Exception {
    String azure =
        "storage.backend=azure\nstorage.azure.container="
            + io.prism.snapshotter.storage.Azurite.newContainer()
            + "\nstorage.azure.connection.string="
            + TestServices.azuriteConnectionString()
            + "\nindex.backend=none\n";
    assertThat(run(azure)).as(output()).isZero();
    assertThat(output())
        .contains("create-only  ok", "index.backend=none", "All 7 checks passed")
        .doesNotContain("AccountKey=");
  }

  @Test
  void aWrongS3SecretAndAWrongClickHousePasswordFailWithTheServicesReasons() throws Exception {
    assertThat(run(s3Settings("wrong-secret") + clickHouseSettings("wrong-password")))
        .isEqualTo(Main.EXIT_UNAVAILABLE);
    assertThat(output())
        .containsPattern("storage  write +FAILED .*(SignatureDoesNotMatch|signature|403)")
        .containsPattern("index    (open|read) +FAILED .*(password|Authentication|authentication)")
        .doesNotContain("wrong-secret", "wrong-password");
  }
}
