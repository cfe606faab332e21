package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class PageDetectionTest {
  private final PageReader reader = new PageReader();

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "a/b/1_42.pb.zst, PROTOBUF, ZSTD",
        "a/b/1_42.pb.gz, PROTOBUF, GZIP",
        "a/b/1_42.pb, PROTOBUF, NONE",
        "x.ndjson.zst, NDJSON, ZSTD",
        "x.ndjson.gz, NDJSON, GZIP",
        "x.ndjson, NDJSON, NONE",
        "x.json, null, null",
        "x.gz, null, GZIP",
        "x.pb.bz2, null, null",
      })
  void keysNameFormatAndCompressionByExtension(
      String key, PageFormat format, Compression compression) {
    assertThat(PageFormat.fromKey(key)).isEqualTo(Optional.ofNullable(format));
    assertThat(Compression.fromKey(key)).isEqualTo(Optional.ofNullable(compression));
  }

  @Test
  void aMissingKeySaysNothing() {
    assertThat(PageFormat.fromKey(null)).isEmpty();
    assertThat(Compression.fromKey(null)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void configNamesAndExtensionsRoundTrip(Compression c) {
    assertThat(Compression.fromConfigName(c.configName())).isEqualTo(c);
    assertThat(Compression.fromKey("k.pb" + c.extension())).contains(c);
  }

  @Test
  void configNamesAreTheRfcs() {
    assertThat(Compression.NONE.configName()).isEqualTo("none");
    assertThat(Compression.GZIP.extension()).isEqualTo(".gz");
    assertThat(Compression.ZSTD.extension()).isEqualTo(".zst");
    assertThat(PageFormat.fromConfigName("protobuf")).isEqualTo(PageFormat.PROTOBUF);
    assertThat(PageFormat.NDJSON.extension()).isEqualTo(".ndjson");
    assertThat(PageFormat.NDJSON.contentType()).isEqualTo("application/x-ndjson");
  }

  @Test
  void unknownConfigNamesListTheValidOnes() {
    assertThatThrownBy(() -> Compression.fromConfigName("lz4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lz4'")
        .hasMessageContaining("none, gzip, zstd");
    assertThatThrownBy(() -> PageFormat.fromConfigName("avro"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protobuf, ndjson");
  }

  @Test
  void magicBytesNameTheCompression() {
    assertThat(Compression.detect(new byte[] {0x1f, (byte) 0x8b, 8, 0}, 4))
        .contains(Compression.GZIP);
    assertThat(Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 4))
        .contains(Compression.ZSTD);
    assertThat(Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 3)).isEmpty();
    assertThat(Compression.detect(new byte[] {'{', '"'}, 2)).isEmpty();
    assertThat(Compression.detect(new byte[0], 0)).isEmpty();
    assertThat(PageFormat.detect(new byte[] {'{'}, 1)).contains(PageFormat.NDJSON);
    assertThat(PageFormat.detect(new byte[] {0x0a}, 1)).contains(PageFormat.PROTOBUF);
    assertThat(PageFormat.detect(new byte[] {0x12}, 1)).isEmpty();
    assertThat(PageFormat.detect(new byte[] {'{'}, 0)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void everyCombinationIsRecognisedByMagicBytesAlone(Compression compression) throws Exception {
    for (PageFormat format : PageFormat.values()) {
      TestPages.EncodedBytes encoded = TestPages.encode(format, compression, TestPages.tricky());
      Page page = reader.read(new ByteArrayInputStream(encoded.bytes()), "no-extension");
      assertThat(page.metadata()).isEqualTo(encoded.page().metadata());
    }
  }

  @Test
  void explicitArgumentsWinOverTheKey() throws Exception {
    TestPages.EncodedBytes encoded =
        TestPages.encode(PageFormat.NDJSON, Compression.GZIP, TestPages.tricky());

    Page page =
        reader.read(new ByteArrayInputStream(encoded.bytes()), PageFormat.NDJSON, Compression.GZIP);

    assertThat(page.events()).containsExactlyElementsOf(TestPages.tricky());
  }

  @Test
  void theKeyWinsOverMagicBytesAndAWrongKeyIsAFormatError() {
    TestPages.EncodedBytes encoded =
        TestPages.encode(PageFormat.PROTOBUF, Compression.ZSTD, TestPages.tricky());

    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(encoded.bytes()), "x.pb.gz"))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("gzip");
    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(encoded.bytes()), "x.ndjson.zst"))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining("NDJSON line 1");
  }

  @Test
  void metadataMustAgreeWithTheStoredCompression() {
    TestPages.EncodedBytes encoded =
        TestPages.encode(PageFormat.PROTOBUF, Compression.ZSTD, TestPages.tricky());
    byte[] raw;
    try {
      raw = TestPages.plainDecompress(Compression.ZSTD, encoded.bytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }

    assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(raw), null))
        .isInstanceOf(PageFormatException.class)
        .hasMessageContaining(
            "metadata says compression 'zstd' but the page is stored with 'none'");
  }
}
