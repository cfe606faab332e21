package io.prism.snapshotter.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which events' times, with their ids, identify their records. */
class RecordTimesTest {
  private static PageMetadata page(String timesTag) {
    Map<String, String> tags = new HashMap<>();
    tags.put("kafka.topic", "events");
    tags.put("kafka.partition", "3");
    tags.put("kafka.offset.first", "10");
    tags.put("kafka.offset.last", "20");
    if (timesTag != null) {
      tags.put(RecordTimes.TAG, timesTag);
    }
    return new PageMetadata(
        "w",
        10,
        0,
        0,
        1,
        1,
        PageMetadata.FORMAT_VERSION_V1,
        Compression.NONE,
        tags,
        PageFormat.PROTOBUF);
  }

  @Test
  void defaultIdsOfThePagesOwnSpanAreToldByTheirTimeInAPageOfRecordTimes() {
    RecordTimes times = RecordTimes.of(page(RecordTimes.RECORD));

    assertThat(times.identifyingTime("events-3-10", 5)).isEqualTo(5L);
    assertThat(times.identifyingTime("events-3-20", 5)).isEqualTo(5L);
    assertThat(times.identifyingTime("events-3-9", 5)).as("before the span").isNull();
    assertThat(times.identifyingTime("events-3-21", 5)).as("after the span").isNull();
    assertThat(times.identifyingTime("events-2-15", 5)).as("another partition").isNull();
    assertThat(times.identifyingTime("events-3-015", 5)).as("not Long.toString's").isNull();
    assertThat(times.identifyingTime("events-3-", 5)).isNull();
    assertThat(times.identifyingTime("events-3-1x", 5)).isNull();
    assertThat(times.identifyingTime("events-3-99999999999999999999", 5)).isNull();
    assertThat(times.identifyingTime("9f3c-uuid", 5)).as("a producer's id").isNull();
  }

  @Test
  void pagesWhoseTimesMayBeTheTasksClockOrAreUntaggedTellNothing() {
    assertThat(RecordTimes.of(page(RecordTimes.SOME_CLOCK)).identifyingTime("events-3-10", 5))
        .isNull();
    assertThat(RecordTimes.of(page(null)).identifyingTime("events-3-10", 5)).isNull();
  }
}
