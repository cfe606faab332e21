package io.prism.snapshotter.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Semi-realistic event payloads: JSON of about {@code targetBytes} with ids, a user agent, a page
 * path and a bag of word properties, so compressors see text that is neither random nor one
 * repeated string. A fixed seed: every run produces the same bytes.
 */
final class BenchPayloads {
  static final String[] ACTIONS = {
    "page.view", "click", "add_to_cart", "checkout", "search", "login", "logout"
  };
  private static final String[] WORDS = {
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "product",
    "category",
    "price",
    "discount",
    "session",
    "referrer",
    "campaign",
    "mobile",
    "desktop",
    "tablet"
  };

  private final Random random = new Random(2023);
  private final int targetBytes;

  BenchPayloads(int targetBytes) {
    this.targetBytes = targetBytes;
  }

  /** The action of the next payload; call before {@link #next}. */
  String nextAction() {
    return ACTIONS[random.nextInt(ACTIONS.length)];
  }

  boolean nextBoolean() {
    return random.nextBoolean();
  }

  byte[] next(String action, long timestampMillis) {
    StringBuilder json = new StringBuilder(targetBytes + 64);
    json.append("{\"user_id\":\"u-")
        .append(100_000 + random.nextInt(900_000))
        .append("\",\"session_id\":\"")
        .append(Long.toHexString(random.nextLong()))
        .append(Long.toHexString(random.nextLong()))
        .append("\",\"action\":\"")
        .append(action)
        .append("\",\"ts\":")
        .append(timestampMillis)
        .append(",\"page\":\"/")
        .append(word())
        .append('/')
        .append(word())
        .append("?id=")
        .append(random.nextInt(100_000))
        .append(
            "\",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/120.0 Safari/537.36\",\"amount\":")
        .append(random.nextInt(100_000) / 100.0)
        .append(",\"props\":{");
    int p = 0;
    while (json.length() < targetBytes - 44) {
      if (p > 0) {
        json.append(',');
      }
      json.append('"')
          .append(word())
          .append('_')
          .append(p++)
          .append("\":\"")
          .append(word())
          .append(' ')
          .append(word())
          .append(' ')
          .append(random.nextInt(10_000))
          .append('"');
    }
    json.append("}}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }
}
