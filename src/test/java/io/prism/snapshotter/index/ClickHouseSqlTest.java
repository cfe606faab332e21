package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClickHouseSqlTest {
  @Test
  void quotesAndBackslashesAreEscaped() {
    assertThat(ClickHouseSql.quote("'")).isEqualTo("'\\''");
    assertThat(ClickHouseSql.quote("\\")).isEqualTo("'\\\\'");
    assertThat(ClickHouseSql.quote("'; DROP TABLE x; --")).isEqualTo("'\\'; DROP TABLE x; --'");
    assertThat(ClickHouseSql.quote("\\'")).isEqualTo("'\\\\\\''");
  }

  @Test
  void controlCharactersBecomeEscapes() {
    assertThat(ClickHouseSql.quote("a\nb\r\tc\0d\u0001\u007f"))
        .isEqualTo("'a\\nb\\r\\tc\\0d\\x01\\x7F'");
  }

  @Test
  void everyHostileIdStaysInsideOneLiteral() {
    for (String id : PageIndexContract.HOSTILE_WRITER_IDS) {
      String literal = ClickHouseSql.quote(id);
      String inner = literal.substring(1, literal.length() - 1);
      // An unescaped quote would end the literal early: every quote inside follows an odd run of
      // backslashes.
      for (int i = 0; i < inner.length(); i++) {
        if (inner.charAt(i) == '\'') {
          int backslashes = 0;
          for (int j = i - 1; j >= 0 && inner.charAt(j) == '\\'; j--) {
            backslashes++;
          }
          assertThat(backslashes % 2).as("quote at %d in %s", i, literal).isEqualTo(1);
        }
      }
      assertThat(inner).doesNotContain("\n", "\r", "\0");
    }
  }

  @ParameterizedTest
  @CsvSource({"pages", "_x", "Prism_Index_2"})
  void plainIdentifiersAreAccepted(String name) {
    assertThat(ClickHouseSql.identifier("table", name)).isEqualTo(name);
  }

  @ParameterizedTest
  @CsvSource({"'2pages'", "'a-b'", "'a.b'", "'x; DROP'", "'`x`'", "''"})
  void otherIdentifiersAreRefusedWithTheirName(String name) {
    assertThatThrownBy(() -> ClickHouseSql.identifier("ClickHouse table", name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ClickHouse table");
  }
}
