package io.prism.snapshotter.config;

import io.prism.snapshotter.util.TlsCaFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The cross-key checks of a backend's TLS CA file, the same for the index and the store. */
final class TlsSettingChecks {
  private TlsSettingChecks() {}

  /**
   * A CA file must be readable and hold a certificate, and its URL must be a TLS one: a CA given
   * for a plain-text URL would silently protect nothing. Adds each problem to the keys involved.
   *
   * @param tlsSchemes the URL schemes that mean TLS ({@code https}; {@code rediss}, {@code
   *     rediss-sentinel})
   */
  static void checkCaFile(
      Map<String, List<String>> errors,
      String caKey,
      Optional<String> caFile,
      String urlKey,
      Optional<String> url,
      String... tlsSchemes) {
    if (caFile.isEmpty()) {
      return;
    }
    try {
      TlsCaFile.load(Path.of(caFile.get()));
    } catch (IllegalArgumentException e) {
      add(errors, e.getMessage(), caKey);
    }
    if (url.isPresent() && !isTls(url.get(), tlsSchemes)) {
      add(
          errors,
          caKey
              + " is set but "
              + urlKey
              + " ("
              + url.get()
              + ") does not start with "
              + String.join(":// or ", tlsSchemes)
              + "://",
          caKey,
          urlKey);
    }
  }

  static boolean isTls(String url, String... tlsSchemes) {
    String lower = url.toLowerCase(Locale.ROOT);
    for (String scheme : tlsSchemes) {
      if (lower.startsWith(scheme + "://")) {
        return true;
      }
    }
    return false;
  }

  private static void add(Map<String, List<String>> errors, String message, String... keys) {
    for (String key : keys) {
      errors.computeIfAbsent(key, k -> new ArrayList<>()).add(message);
    }
  }
}
