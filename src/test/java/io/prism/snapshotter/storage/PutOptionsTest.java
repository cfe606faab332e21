package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PutOptionsTest {

  @Test
  void factoriesAndBuilder() {
    assertThat(PutOptions.defaults()).isEqualTo(new PutOptions(null, null, false));
    assertThat(PutOptions.defaults().contentType()).isEqualTo("application/octet-stream");
    assertThat(PutOptions.ifAbsent().createOnly()).isTrue();
    assertThat(
            PutOptions.builder()
                .contentType("application/x-ndjson")
                .metadata("writer-id", "u%2F1")
                .createOnly(true)
                .build())
        .isEqualTo(new PutOptions("application/x-ndjson", Map.of("writer-id", "u%2F1"), true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Upper", "with space", "dots.not", "ü"})
  void metadataNamesThatS3WouldChangeAreRefused(String name) {
    assertThatThrownBy(() -> PutOptions.builder().metadata(name, "v").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user metadata name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"é", "line\nbreak", "tab\t", "日本"})
  void metadataValuesThatAreNotPrintableAsciiAreRefused(String value) {
    assertThatThrownBy(() -> PutOptions.builder().metadata("k", value).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("printable ASCII");
  }

  @Test
  void metadataAboveS3sLimitIsRefused() {
    assertThatThrownBy(() -> PutOptions.builder().metadata("k", "v".repeat(2048)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2048");
  }
}
