package io.prism.snapshotter.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokensTest {
  @TempDir Path directory;

  @Test
  void readsTokensWithAndWithoutPrefixesSkippingCommentsAndBlankLines() throws Exception {
    BearerTokens tokens =
        BearerTokens.load(
            Files.writeString(
                directory.resolve("t"), "# comment\n\n  open-token  \nscoped-token\tteam-a/\n"));

    assertThat(tokens.scopeOf("open-token")).contains(WriterScope.ANY);
    assertThat(tokens.scopeOf("scoped-token")).contains(new WriterScope("team-a/"));
    assertThat(tokens.scopeOf("scoped-token").orElseThrow().permits("team-a/x")).isTrue();
    assertThat(tokens.scopeOf("scoped-token").orElseThrow().permits("team-b/x")).isFalse();
    assertThat(tokens.scopeOf("open-tok")).isEmpty();
    assertThat(tokens.scopeOf("")).isEmpty();
    assertThat(tokens.scopeOf("# comment")).isEmpty();
  }

  @Test
  void refusesAFileWithoutTokensOrWithAMalformedLine() throws Exception {
    assertThatThrownBy(
            () -> BearerTokens.load(Files.writeString(directory.resolve("empty"), "# nothing\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no tokens");
    assertThatThrownBy(
            () -> BearerTokens.load(Files.writeString(directory.resolve("bad"), "a\nb c d\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2");
  }
}
