package io.prism.snapshotter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartEtagTest {

  @Test
  void theMd5OfThePartsMd5sAndTheirCount() {
    // Part and object ETags of a two-part upload, as S3Proxy answered them.
    assertThat(
            MultipartEtag.of(
                List.of(
                    "\"bec688591b231201d5b48ba65378e69e\"", "6d0bb00954ceb7fbee436bb55a8397a9")))
        .isEqualTo("3b5657dbdd121544474dc8fd86084478-2");
  }

  @Test
  void nothingWhenAPartsEtagIsNotAnMd5() {
    assertThat(MultipartEtag.of(List.of("bec688591b231201d5b48ba65378e69e", "opaque-kms-etag")))
        .isNull();
    assertThat(MultipartEtag.of(List.of("zzc688591b231201d5b48ba65378e69e"))).isNull();
    assertThat(MultipartEtag.of(List.of())).isNull();
  }
}
