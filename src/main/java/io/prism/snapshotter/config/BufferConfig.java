package io.prism.snapshotter.config;

import io.prism.snapshotter.buffer.EvictionOrder;
import io.prism.snapshotter.buffer.FlushLimits;
import io.prism.snapshotter.page.PageLimits;
import java.time.Duration;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/** {@code buffer.*}: when a writer's page closes, and how much one task may hold in memory. */
public final class BufferConfig {
  public static final String GROUP = "Buffer";

  public static final String MAX_EVENTS = "buffer.max.events";
  static final String MAX_EVENTS_DOC =
      "Close a writer's page once it holds this many events. At most "
          + PageLimits.DEFAULT.maxEvents()
          + ": page readers refuse a page with more.";
  static final int MAX_EVENTS_DEFAULT = 1000;

  public static final String MAX_SIZE_BYTES = "buffer.max.size.bytes";
  static final String MAX_SIZE_BYTES_DOC =
      "Close a writer's page once its events add up to this many uncompressed bytes (payloads,"
          + " and the characters of ids and attributes). An event at least this large gets a page"
          + " of its own, unless it takes more than 64 MiB encoded (a payload of about 48 MiB: base64"
          + " in NDJSON): that record is a bad record, page readers would refuse it. A page also"
          + " closes early when its events, encoded in the larger format, could pass the "
          + (PageLimits.DEFAULT.maxPageBytes() >> 20)
          + " MiB readers accept of a page (text of control characters or CJK). At most "
          + BufferConfig.MAX_SIZE_BYTES_LIMIT
          + " (64 MiB).";

  /**
   * Highest {@link #MAX_SIZE_BYTES}: a page closes at the first event that takes it to the limit,
   * so it holds less than twice the limit, which NDJSON's base64 makes up to 4/3 larger: 171 MiB,
   * within the {@link PageLimits#DEFAULT} 256 MiB readers accept. (Text that grows more when
   * encoded closes a page earlier: {@code FlushPolicy.isFullFor}.)
   */
  static final long MAX_SIZE_BYTES_LIMIT = 64L * 1024 * 1024;

  static final long MAX_SIZE_BYTES_DEFAULT = 10L * 1024 * 1024;

  public static final String MAX_AGE_SECONDS = "buffer.max.age.seconds";
  static final String MAX_AGE_SECONDS_DOC =
      "Close a writer's page once its first event has waited this long in the task. Checked on"
          + " every poll, also for writers and partitions that receive nothing.";
  static final int MAX_AGE_SECONDS_DEFAULT = 300;

  public static final String FLUSH_ON_DISCONNECT = "buffer.flush.on.disconnect";
  static final String FLUSH_ON_DISCONNECT_DOC =
      "Store open pages when a partition is revoked and when the task stops. When false, those"
          + " open pages are dropped (pages already closed are still stored) and Kafka re-delivers"
          + " their records later (nothing is lost either way; this only trades latency for fewer,"
          + " larger pages). A writer's session end closes and stores its page either way.";
  static final boolean FLUSH_ON_DISCONNECT_DEFAULT = true;

  public static final String MEMORY_MAX_BYTES = "buffer.memory.max.bytes";
  static final String MEMORY_MAX_BYTES_DOC =
      "All buffers of one task together. Above it the oldest open pages are stored early; while"
          + " storage cannot keep up, the task pauses its partitions until the buffers fall to"
          + " 75% of this.";
  static final long MEMORY_MAX_BYTES_DEFAULT = 128L * 1024 * 1024;

  public static final NamedValues<EvictionOrder> EVICTION_ORDERS =
      NamedValues.of(EvictionOrder.class, EvictionOrder::configName);
  public static final String MEMORY_EVICTION = "buffer.memory.eviction";
  static final String MEMORY_EVICTION_DOC =
      "Which open pages are stored first when the task passes buffer.memory.max.bytes: 'oldest'"
          + " (opened first; keeps the committed offsets closest to the stream) or 'largest' (fuller"
          + " pages). See docs/BENCHMARKS.md for the measured trade-off.";

  private final FlushLimits limits;
  private final EvictionOrder evictionOrder;
  private final boolean flushOnDisconnect;
  private final long memoryMaxBytes;

  public BufferConfig(AbstractConfig config) {
    this.limits =
        new FlushLimits(
            config.getInt(MAX_EVENTS),
            config.getLong(MAX_SIZE_BYTES),
            Duration.ofSeconds(config.getInt(MAX_AGE_SECONDS)));
    this.flushOnDisconnect = config.getBoolean(FLUSH_ON_DISCONNECT);
    this.memoryMaxBytes = config.getLong(MEMORY_MAX_BYTES);
    this.evictionOrder = EVICTION_ORDERS.parse(MEMORY_EVICTION, config.getString(MEMORY_EVICTION));
  }

  public static ConfigDef addTo(ConfigDef def) {
    int order = 0;
    return def.define(
            MAX_EVENTS,
            Type.INT,
            MAX_EVENTS_DEFAULT,
            Range.between(1, PageLimits.DEFAULT.maxEvents()),
            Importance.HIGH,
            MAX_EVENTS_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Max events per page")
        .define(
            MAX_SIZE_BYTES,
            Type.LONG,
            MAX_SIZE_BYTES_DEFAULT,
            Range.between(1024, MAX_SIZE_BYTES_LIMIT),
            Importance.HIGH,
            MAX_SIZE_BYTES_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Max page size (bytes)")
        .define(
            MAX_AGE_SECONDS,
            Type.INT,
            MAX_AGE_SECONDS_DEFAULT,
            Range.between(1, 7 * 24 * 3600),
            Importance.HIGH,
            MAX_AGE_SECONDS_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Max page age (s)")
        .define(
            FLUSH_ON_DISCONNECT,
            Type.BOOLEAN,
            FLUSH_ON_DISCONNECT_DEFAULT,
            Importance.MEDIUM,
            FLUSH_ON_DISCONNECT_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Flush on disconnect")
        .define(
            MEMORY_MAX_BYTES,
            Type.LONG,
            MEMORY_MAX_BYTES_DEFAULT,
            Range.atLeast(1024 * 1024),
            Importance.MEDIUM,
            MEMORY_MAX_BYTES_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Task memory budget (bytes)")
        .define(
            MEMORY_EVICTION,
            Type.STRING,
            EvictionOrder.OLDEST_FIRST.configName(),
            EVICTION_ORDERS,
            Importance.LOW,
            MEMORY_EVICTION_DOC,
            GROUP,
            ++order,
            Width.SHORT,
            "Eviction order",
            EVICTION_ORDERS);
  }

  public FlushLimits limits() {
    return limits;
  }

  public boolean flushOnDisconnect() {
    return flushOnDisconnect;
  }

  public EvictionOrder evictionOrder() {
    return evictionOrder;
  }

  public long memoryMaxBytes() {
    return memoryMaxBytes;
  }
}
