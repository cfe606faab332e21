package io.prism.snapshotter.connect;

import io.prism.snapshotter.util.Printable;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/** A record that can never become an event. It names the record's topic, partition and offset. */
final class BadRecordException extends DataException {
  BadRecordException(SinkRecord record, String problem) {
    super(where(record) + ": " + problem);
  }

  static String where(SinkRecord record) {
    return "record "
        + record.topic()
        + "-"
        + record.kafkaPartition()
        + "@"
        + record.kafkaOffset()
        + (record.key() instanceof String key ? " (key " + Printable.quote(key) + ")" : "");
  }
}
