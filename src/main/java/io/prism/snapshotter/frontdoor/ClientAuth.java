package io.prism.snapshotter.frontdoor;

import java.util.Arrays;
import java.util.Locale;

/**
 * Whether the front door asks TLS clients for a certificate ({@code frontdoor.tls.client.auth}).
 */
public enum ClientAuth {
  /** Server-authenticated TLS only. */
  NONE,
  /**
   * Mutual TLS: a client certificate signed by {@code frontdoor.tls.client.ca.file} is required.
   */
  REQUIRE;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static String[] configNames() {
    return Arrays.stream(values()).map(ClientAuth::configName).toArray(String[]::new);
  }

  static ClientAuth fromConfig(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
