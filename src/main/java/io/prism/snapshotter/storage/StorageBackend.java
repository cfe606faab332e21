package io.prism.snapshotter.storage;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** The object-store backends: the single source of their config names (and aliases). */
public enum StorageBackend {
  /** A local or mounted directory ({@link FilesystemObjectStore}). */
  FILESYSTEM("filesystem"),
  /** Amazon S3 or any S3-compatible store ({@link S3ObjectStore}); {@code minio} is an alias. */
  S3("s3", "minio"),
  /** Azure Blob Storage, or the Azurite emulator ({@link AzureObjectStore}). */
  AZURE("azure"),
  /** Google Cloud Storage over its JSON API ({@link GcsObjectStore}); {@code gs} is an alias. */
  GCS("gcs", "gs");

  private final String configName;
  private final List<String> aliases;

  StorageBackend(String configName, String... aliases) {
    this.configName = configName;
    this.aliases = List.of(aliases);
  }

  /**
   * What this backend cannot store under {@code key} although {@link ObjectKeys} allows it, or
   * null. Azure Blob Storage drops the dots that end a path segment (its naming rules: "no path
   * segments should end with a dot"), so writer {@code a.}'s page {@code .../a./...} would be
   * stored under {@code .../a/...}, where writer {@code a}'s are, and not be found under the key it
   * was written to. Refused there rather than encoded differently: an encoding change would move
   * the pages such ids already have on the other backends.
   */
  public String keyProblem(String key) {
    if (this != AZURE) {
      return null;
    }
    for (String segment : key.split("/", -1)) {
      if (segment.endsWith(".")) {
        return "segment '"
            + ObjectKeys.printable(segment)
            + "' ends with '.', which Azure Blob Storage drops from a path segment: the page would"
            + " be stored under another name than the one it is read by";
      }
    }
    return null;
  }

  /**
   * Whether every write waits on a network (S3, Azure, GCS), rather than on a local or mounted
   * directory: what makes more page writes at once pay.
   */
  public boolean writesCrossANetwork() {
    return this != FILESYSTEM;
  }

  /** The canonical name used in configs, e.g. {@code s3}. */
  public String configName() {
    return configName;
  }

  /** Every name that selects this backend: the canonical one first, then aliases. */
  public List<String> names() {
    return Stream.concat(Stream.of(configName), aliases.stream()).toList();
  }

  /** The backend called {@code name} (case-insensitive, aliases included). */
  public static Optional<StorageBackend> fromName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(b -> b.names().contains(wanted)).findFirst();
  }

  /** All accepted names, canonical and aliases, in declaration order. */
  public static List<String> allNames() {
    return Arrays.stream(values()).flatMap(b -> b.names().stream()).toList();
  }
}
