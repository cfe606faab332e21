package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeMapTest {

  @Test
  void keepsInsertionOrderAndALaterValueForARepeatedKey() {
    Map<String, String> map =
        AttributeMap.builder().put("type", "a").put("source", "s").put("type", "b").build();

    assertThat(map).containsExactly(Map.entry("type", "b"), Map.entry("source", "s"));
    assertThat(map.get("source")).isEqualTo("s");
    assertThat(map.get("missing")).isNull();
    assertThat(map.containsKey("type")).isTrue();
  }

  @Test
  void equalsAnyMapWithTheSameEntries() {
    Map<String, String> map = AttributeMap.builder().put("k1", "v1").put("k2", "v2").build();
    Map<String, String> hashMap = new HashMap<>(Map.of("k2", "v2", "k1", "v1"));

    assertThat(map).isEqualTo(hashMap);
    assertThat(hashMap).isEqualTo(map);
    assertThat(map.hashCode()).isEqualTo(hashMap.hashCode());
  }

  @Test
  void isImmutableAndRejectsNulls() {
    Map<String, String> map = AttributeMap.builder().put("k", "v").build();

    assertThatThrownBy(() -> map.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.entrySet().iterator().next().setValue("w"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> AttributeMap.builder().put("k", null))
        .isInstanceOf(NullPointerException.class);
    assertThat(AttributeMap.builder().build()).isEmpty();
  }

  @Test
  void anEventTakesItAsItIsAndWritesItsEntriesInOrder() throws Exception {
    Map<String, String> attributes =
        AttributeMap.builder().put("z", "1").put("a", "2").put("m", "3").build();
    Event event = Event.wrap("e1", 1000, new byte[] {1}, attributes);

    assertThat(event.attributes()).isSameAs(attributes);
    assertThatThrownBy(
            () ->
                Event.wrap(
                    "e2", 1000, new byte[0], AttributeMap.builder().put("k", "\ud800").build()))
        .isInstanceOf(IllegalArgumentException.class);

    var out = new java.io.ByteArrayOutputStream();
    new PageEncoder()
        .encode(
            PageFormat.PROTOBUF,
            Compression.NONE,
            new PageSpec("w", 0, Map.of()),
            java.util.List.of(event),
            out);
    var decoded = io.prism.snapshotter.proto.EventPage.parseFrom(out.toByteArray());
    assertThat(decoded.getEvents(0).getAttributesMap())
        .containsExactly(Map.entry("z", "1"), Map.entry("a", "2"), Map.entry("m", "3"));
  }
}
