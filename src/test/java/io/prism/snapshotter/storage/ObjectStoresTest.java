package io.prism.snapshotter.storage;

import io.prism.snapshotter.config.StorageConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectStoresTest {

    @TempDir
    Path tempDir;

    @Test
    void opensTheFilesystemBackendAtTheConfiguredPath() throws Exception {
        Path base = tempDir.resolve("pages");
        try (ObjectStore store = ObjectStores.open(new StorageConfig(Map.of("storage.filesystem.path",
                base.toString())))) {
            store.put("k", new ByteArrayInputStream(new byte[] {1}), 1, PutOptions.defaults());

            assertThat(store).isInstanceOf(FilesystemObjectStore.class);
            assertThat(store.describe()).isEqualTo("file:" + base);
            assertThat(Files.readAllBytes(base.resolve("k"))).containsExactly(1);
        }
    }

    @Test
    void refusesAConfigWithCrossKeyErrors() {
        assertThatThrownBy(() -> ObjectStores.open(new StorageConfig(Map.of("storage.backend", "s3"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.s3.bucket");
        assertThatThrownBy(() -> ObjectStores.open(new StorageConfig(Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.filesystem.path");
    }
}
