package io.prism.snapshotter.config;

import io.prism.snapshotter.storage.StorageBackend;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Recommends {@code choices} for a storage key and shows the key only while {@code backend} is
 * chosen ({@code null}: always).
 */
final class BackendRecommender implements ConfigDef.Recommender {
  private final List<Object> choices;
  private final StorageBackend backend;

  BackendRecommender(List<String> choices, StorageBackend backend) {
    this.choices = List.copyOf(choices);
    this.backend = backend;
  }

  @Override
  public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
    return choices;
  }

  @Override
  public boolean visible(String name, Map<String, Object> parsedConfig) {
    if (backend == null) {
      return true;
    }
    Object chosen = parsedConfig.get(StorageConfig.BACKEND);
    return StorageBackend.fromName(
            chosen == null ? StorageConfig.BACKEND_DEFAULT : chosen.toString())
        .map(b -> b == backend)
        .orElse(false);
  }
}
