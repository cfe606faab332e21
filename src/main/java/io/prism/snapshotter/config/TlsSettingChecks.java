package io.prism.snapshotter.config;

import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.nio.file.Path;
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
      KeyErrors.add(errors, e.getMessage(), caKey);
    }
    if (url.isPresent() && !isTls(url.get(), tlsSchemes)) {
      KeyErrors.add(
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

  /** A client certificate needs its key, both readable, and a TLS URL (one of {@code schemes}). */
  static void checkClientFiles(
      Map<String, List<String>> errors,
      ConfigValues values,
      String certKey,
      String keyKey,
      String urlKey,
      String... schemes) {
    Optional<String> cert = values.optional(certKey);
    Optional<String> key = values.optional(keyKey);
    if (cert.isEmpty() && key.isEmpty()) {
      return;
    }
    if (cert.isEmpty() || key.isEmpty()) {
      KeyErrors.add(
          errors,
          certKey + " and " + keyKey + " go together: set both, or neither",
          certKey,
          keyKey);
      return;
    }
    try {
      TlsClientIdentity.load(Path.of(cert.get()), Path.of(key.get()));
    } catch (IllegalArgumentException e) {
      KeyErrors.add(errors, e.getMessage(), certKey, keyKey);
    }
    Optional<String> url = values.optional(urlKey);
    if (url.isPresent() && !isTls(url.get(), schemes)) {
      KeyErrors.add(
          errors,
          certKey
              + " is set but "
              + urlKey
              + " ("
              + url.get()
              + ") does not start with "
              + schemes[0]
              + "://",
          certKey,
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
}
