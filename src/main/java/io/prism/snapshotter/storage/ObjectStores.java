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
    config.requireNoCrossKeyErrors();
    ObjectStore store =
        switch (config.backend()) {
          case FILESYSTEM -> new FilesystemObjectStore(config.filesystemPath().orElseThrow());
          case S3 -> S3ObjectStore.open(config.s3Settings());
          case AZURE -> AzureObjectStore.open(config.azureSettings());
          case GCS -> GcsObjectStore.open(config.gcsSettings());
        };
    log.info("Opened {} object store {}", config.backend().configName(), store.describe());
    return store;
  }
}
