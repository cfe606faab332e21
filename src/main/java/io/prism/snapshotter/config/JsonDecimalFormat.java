package io.prism.snapshotter.config;

/**
 * How a structured record value's decimals (Connect's Decimal logical type, e.g. an Avro decimal)
 * are written in the event's JSON payload.
 */
public enum JsonDecimalFormat {
  /** A JSON number with every digit of the value: {@code 12.30}. Readable by any JSON reader. */
  NUMERIC("numeric"),
  /** Base64 of the unscaled value's two's-complement bytes: JsonConverter's own default. */
  BASE64("base64");

  private final String configName;

  JsonDecimalFormat(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }
}
