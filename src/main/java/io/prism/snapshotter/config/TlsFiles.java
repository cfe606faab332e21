package io.prism.snapshotter.config;

import io.prism.snapshotter.util.TlsCaFile;
import io.prism.snapshotter.util.TlsClientIdentity;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The TLS files an index's settings name, read as the settings are made: a file that cannot be used
 * is a ConfigException naming its key.
 */
final class TlsFiles {
  private TlsFiles() {}

  /** The CA file {@code key} names, read now; null when the key is empty. */
  static TlsCaFile caFile(ConfigValues values, String key) {
    Optional<String> file = values.optional(key);
    if (file.isEmpty()) {
      return null;
    }
    try {
      return TlsCaFile.load(Path.of(file.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, file.get(), e.getMessage());
    }
  }

  /** The client certificate and key two keys name, read now; null when neither is set. */
  static TlsClientIdentity clientIdentity(ConfigValues values, String certKey, String keyKey) {
    Optional<String> cert = values.optional(certKey);
    Optional<String> key = values.optional(keyKey);
    if (cert.isEmpty() && key.isEmpty()) {
      return null;
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException(
          cert.isEmpty() ? certKey : keyKey,
          null,
          certKey + " and " + keyKey + " go together: set both, or neither");
    }
    try {
      return TlsClientIdentity.load(Path.of(cert.get()), Path.of(key.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(certKey + ", " + keyKey, cert.get(), e.getMessage());
    }
  }
}
