package io.prism.snapshotter.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.prism.snapshotter.buffer.RevokedPages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RevocationLineTest {
  private static final List<TopicPartition> TWO =
      List.of(new TopicPartition("events", 3), new TopicPartition("events", 0));

  @Test
  void saysWhatWasStoredAndWhatWasLeftToTheNewOwner() {
    RevokedPages pages =
        new RevokedPages(
            new RevokedPages.Pages(3, 120, 98_304),
            new RevokedPages.Pages(1, 40, 2_048),
            List.of(new TopicPartition("events", 3)));

    assertThat(RevocationLine.of(TWO, pages, Duration.ofMillis(420)))
        .isEqualTo(
            "Revoked 2 partitions (events-0, events-3): stored 3 pages (120 records, 98304 bytes)"
                + " in 0.4 s; left 1 page (40 records, 2048 bytes) of events-3 to its new owner,"
                + " which had stored records of it already");
  }

  @Test
  void saysSoWhenNothingWasStored() {
    RevokedPages leftOnly =
        new RevokedPages(RevokedPages.Pages.NONE, new RevokedPages.Pages(2, 1, 100), TWO);

    assertThat(RevocationLine.of(TWO, leftOnly, Duration.ofMillis(3)))
        .isEqualTo(
            "Revoked 2 partitions (events-0, events-3): stored nothing; left 2 pages (1 record,"
                + " 100 bytes) of events-0, events-3 to their new owner, which had stored records"
                + " of them already");
    assertThat(
            RevocationLine.of(
                TWO,
                new RevokedPages(RevokedPages.Pages.NONE, RevokedPages.Pages.NONE, List.of()),
                Duration.ZERO))
        .isEqualTo("Revoked 2 partitions (events-0, events-3): nothing was buffered for them");
  }

  @Test
  void hundredsOfPartitionsAreNamedUpToTheCapInOrderAndCounted() {
    List<TopicPartition> revoked = new ArrayList<>();
    IntStream.range(0, 300).map(i -> 299 - i).forEach(i -> revoked.add(new TopicPartition("b", i)));
    revoked.add(new TopicPartition("a", 7));

    assertThat(RevocationLine.names(revoked))
        .isEqualTo("a-7, b-0, b-1, b-2, b-3, b-4, b-5, b-6, b-7, b-8 and 291 more");
    assertThat(RevocationLine.names(revoked.subList(290, 301)))
        .as("eleven: all but one named")
        .isEqualTo("a-7, b-0, b-1, b-2, b-3, b-4, b-5, b-6, b-7, b-8 and 1 more");
    assertThat(RevocationLine.names(revoked.subList(291, 301)))
        .as("ten: all named")
        .isEqualTo("a-7, b-0, b-1, b-2, b-3, b-4, b-5, b-6, b-7, b-8");
  }
}
