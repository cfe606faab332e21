package io.prism.snapshotter.compact;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.sink.CompactedKeys;
import io.prism.snapshotter.storage.KeyContext;
import io.prism.snapshotter.storage.KeyTemplate;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class CompactedKeysTest {
  private static final String FIRST =
      "snapshots/2023/11/14/w/1700000000000_events-0-00000000000000000042.pb.gz";

  @Test
  void theMergedKeyIsTheFirstSourcesWithTheIdBeforeTheExtension() {
    String id = CompactedKeys.id(List.of(FIRST, "b"));

    String key = CompactedKeys.keyFor(FIRST, id, ".ndjson.zst");

    assertThat(key)
        .isEqualTo(
            "snapshots/2023/11/14/w/1700000000000_events-0-00000000000000000042_c"
                + id
                + ".ndjson.zst");
    assertThat(key).startsWith(CompactedKeys.searchPrefix(FIRST));
    assertThat(CompactedKeys.looksMerged(key)).isTrue();
    assertThat(CompactedKeys.looksMerged(FIRST)).isFalse();
  }

  @Test
  void mergingAMergedPageReplacesItsIdInsteadOfStackingIt() {
    String merged = CompactedKeys.keyFor(FIRST, CompactedKeys.id(List.of(FIRST, "b")), ".pb.gz");
    String again = CompactedKeys.id(List.of(merged, "c"));

    assertThat(CompactedKeys.keyFor(merged, again, ".pb.gz"))
        .isEqualTo(
            "snapshots/2023/11/14/w/1700000000000_events-0-00000000000000000042_c"
                + again
                + ".pb.gz");
    assertThat(CompactedKeys.searchPrefix(merged)).isEqualTo(CompactedKeys.searchPrefix(FIRST));
  }

  @Test
  void aKeyWithoutAnExtensionGetsNone() {
    assertThat(CompactedKeys.keyFor("w/00000000000000000042", "0123456789abcdef", ".pb"))
        .isEqualTo("w/00000000000000000042_c0123456789abcdef");
  }

  @Test
  void idsDependOnTheSourcesAndTheirOrder() {
    assertThat(CompactedKeys.id(List.of("a", "b")))
        .isEqualTo(CompactedKeys.id(List.of("a", "b")))
        .isNotEqualTo(CompactedKeys.id(List.of("b", "a")))
        .isNotEqualTo(CompactedKeys.id(List.of("a", "b", "c")))
        .matches("[0-9a-f]{16}");
  }

  @Test
  void mergedSequencesAreNegative() {
    assertThat(CompactedKeys.sequenceFor("ffffffffffffffff")).isNegative();
    assertThat(CompactedKeys.sequenceFor("0000000000000000")).isEqualTo(-1);
    assertThat(CompactedKeys.sequenceFor("7fffffffffffffff")).isNegative();
  }

  @Property(tries = 300)
  void noSinkKeyOfTheDefaultTemplateLooksMerged(
      @ForAll @StringLength(max = 40) String writer,
      @ForAll @StringLength(min = 1, max = 40) String topic,
      @ForAll @IntRange(min = 0, max = 1000) int partition,
      @ForAll @LongRange(min = 0) long offset,
      @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long time) {
    KeyTemplate template = KeyTemplate.parse(KeyTemplate.DEFAULT);
    for (String extension : List.of(".pb", ".pb.gz", ".ndjson.zst", "")) {
      String key =
          template.render(
              new KeyContext(
                  writer, time, offset, topic, partition, offset, "protobuf", extension, "gzip"));
      assertThat(CompactedKeys.looksMerged(key)).as(key).isFalse();
    }
  }
}
