package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class AzureMetadataNamesTest {

  /** What Azure accepts as a metadata name: a C# identifier (ASCII here). */
  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";

  @Property
  void everyPutOptionsNameBecomesAnIdentifierAndComesBack(
      @ForAll
          @StringLength(min = 1, max = 40)
          @CharRange(from = 'a', to = 'z')
          @CharRange(from = '0', to = '9')
          @Chars({'-', '_'})
          String name) {
    String stored = AzureMetadataNames.encode(name);

    assertThat(stored).matches(IDENTIFIER).isEqualTo(stored.toLowerCase());
    assertThat(AzureMetadataNames.decode(stored)).isEqualTo(name);
    // Azure compares names without case, and so does the decoder.
    assertThat(AzureMetadataNames.decode(stored.toUpperCase())).isEqualTo(name);
  }

  @Property
  void distinctNamesStayDistinct(
      @ForAll @StringLength(min = 1, max = 6) @Chars({'a', '1', '-', '_', 'h', 'd'}) String a,
      @ForAll @StringLength(min = 1, max = 6) @Chars({'a', '1', '-', '_', 'h', 'd'}) String b) {
    if (!a.equals(b)) {
      assertThat(AzureMetadataNames.encode(a))
          .isNotEqualToIgnoringCase(AzureMetadataNames.encode(b));
    }
  }

  @Test
  void examples() {
    assertThat(AzureMetadataNames.encode(Map.of("writer-id", "w", "page_sequence", "1", "9x", "y")))
        .isEqualTo(Map.of("writer_hid", "w", "page__sequence", "1", "_d9x", "y"));
  }

  @Test
  void namesSomeoneElseWroteComeBackLowerCased() {
    assertThat(AzureMetadataNames.decode("Owner")).isEqualTo("owner");
    assertThat(AzureMetadataNames.decode("odd_name")).isEqualTo("odd_name");
  }
}
