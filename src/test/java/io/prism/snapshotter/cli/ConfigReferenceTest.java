package io.prism.snapshotter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what the code defines, not what someone remembered. */
class ConfigReferenceTest {
  @Test
  void theCommittedReferenceMatchesTheCode() throws Exception {
    String generated = ConfigCommand.Docs.reference();
    String committed = Files.readString(Path.of("docs", "configuration.md"));
    assertThat(committed)
        .as(
            "docs/configuration.md is out of date: run bin/snapshotter config docs > docs/configuration.md")
        .isEqualTo(generated);
  }

  @Test
  void everyConnectorKeyIsInTheReference() {
    String generated = ConfigCommand.Docs.reference();
    io.prism.snapshotter.config.SnapshotterConfig.configDef()
        .names()
        .forEach(name -> assertThat(generated).contains("`" + name + "`"));
  }
}
