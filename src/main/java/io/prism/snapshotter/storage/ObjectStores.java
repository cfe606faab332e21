package io.prism.snapshotter.storage;

import io.prism.snapshotter.config.StorageConfig;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the {@link ObjectStore} a {@link StorageConfig} asks for. */
public final class ObjectStores {

  private static final Logger log = LoggerFactory.getLogger(ObjectStores.class);

  private ObjectStores() {}

  /**
   * Opens the configured backend.
   *
   * @throws ConfigException the config has cross-key problems (e.g. S3 without a bucket)
   */
  public static ObjectStore open(StorageConfig config) {
    return open(config, false);
  }

  /**
   * Opens the configured backend for a command that works on what the sink stored (replay, pages,
   * compact, reindex): as {@link #open(StorageConfig)}, but a filesystem store's directory that is
   * not there is not created.
   *
   * @throws ConfigException as {@link #open(StorageConfig)}, or the filesystem store's directory is
   *     not there (named with its setting, {@link StorageConfig#requireExisting()})
   */
  public static ObjectStore openExisting(StorageConfig config) {
    return open(config, true);
  }

  private static ObjectStore open(StorageConfig config, boolean existing) {
    config.requireNoCrossKeyErrors();
    if (existing) {
      config.requireExisting();
    }
    ObjectStore store =
        switch (config.backend()) {
          case FILESYSTEM ->
              existing
                  ? FilesystemObjectStore.openExisting(config.filesystemPath().orElseThrow())
                  : new FilesystemObjectStore(config.filesystemPath().orElseThrow());
          case S3 -> S3ObjectStore.open(config.s3Settings());
          case AZURE -> AzureObjectStore.open(config.azureSettings());
          case GCS -> GcsObjectStore.open(config.gcsSettings());
        };
    log.info("Opened {} object store {}", config.backend().configName(), store.describe());
    return store;
  }
}
