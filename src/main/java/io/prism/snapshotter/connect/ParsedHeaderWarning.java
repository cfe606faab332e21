package io.prism.snapshotter.connect;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.connect.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, once per header name, that a header reached the task as something other than text or bytes:
 * the worker's {@code header.converter} parsed the header's text, as Connect's default ({@code
 * SimpleHeaderConverter}) does, and that can change it before the task sees it ("007" arrives as
 * the number 7, "1.50" as 1.5, "1e3" as 1000). Writer ids, event ids and attributes taken from such
 * headers may then differ from what was sent, and two writers or two event ids may become one. The
 * text as sent is gone by then, so the task can only say so, and how to avoid it.
 *
 * <p>Only values that are neither {@code String} nor bytes are looked at, so the usual text header
 * costs one type check. Not thread-safe: one per task.
 */
final class ParsedHeaderWarning {
  private static final Logger log = LoggerFactory.getLogger(ParsedHeaderWarning.class);

  /** Header names can come from any producer: warn for this many at most, then stay quiet. */
  static final int MAX_NAMES = 100;

  private final Set<String> warned = new HashSet<>();

  /** Warns when {@code header}'s value shows that a converter parsed it (once per name). */
  void check(Header header) {
    Object value = header.value();
    if (value == null
        || value instanceof String
        || value instanceof byte[]
        || value instanceof ByteBuffer
        || warned.size() >= MAX_NAMES
        || !warned.add(header.key())) {
      return;
    }
    log.warn(
        "Header '{}' reached the task as a {} (schema {}), not as the text that was sent: the worker's"
            + " header.converter parsed it (Connect's default, SimpleHeaderConverter, does), which can"
            + " change it (\"007\" becomes 7, \"1.50\" 1.5), so writer ids, event ids and attributes"
            + " taken from headers may not be what producers sent. Set header.converter="
            + "org.apache.kafka.connect.storage.StringConverter on the connector to keep header text as"
            + " sent. (Said once per header name.)",
        header.key(),
        value.getClass().getSimpleName(),
        header.schema() == null ? "none" : header.schema().type());
  }
}
