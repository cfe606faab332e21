package io.prism.snapshotter.local;

import io.prism.snapshotter.config.IndexConfig;
import io.prism.snapshotter.config.StorageConfig;
import io.prism.snapshotter.index.IndexBackend;
import io.prism.snapshotter.storage.StorageBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code local --fresh}: starts again from nothing, which only works when nothing of the stack's
 * state lives outside its data directory. The broker's offsets start again at 0 after a wipe: a
 * store or index kept elsewhere (S3, ClickHouse, Redis, set by {@code --config} or {@code --set})
 * would keep the old pages and entries, and the new events' ids and offsets would repeat theirs —
 * replay drops them as repeats, and the sink, finding indexed pages past its offsets, takes records
 * for stored that are not. Such state is not deleted from here (another bucket, table or prefix may
 * be shared): {@code --fresh} refuses and deletes nothing.
 */
public final class FreshStart {
  private FreshStart() {}

  /**
   * Deletes the data directory ({@link LocalPaths#wipe}, which refuses foreign ones).
   *
   * @throws ConfigException the store or an index is kept outside the data directory; nothing was
   *     deleted
   * @throws IllegalArgumentException the data directory holds what the stack did not make
   */
  public static void wipe(LocalSettings settings) throws IOException {
    List<String> elsewhere = stateOutsideData(settings.connector());
    if (!elsewhere.isEmpty()) {
      throw new ConfigException(
          "--fresh deletes only "
              + settings.paths().data()
              + ", but "
              + String.join(" and ", elsewhere)
              + " outside it would keep the old pages and entries, and the new events' offsets"
              + " would repeat theirs (replay would drop them as repeats); nothing was deleted:"
              + " empty those yourself, or point them at a new bucket, table or prefix, then run"
              + " with --fresh again");
    }
    settings.paths().wipe();
  }

  /**
   * What of the connector's state is not under the data directory. The filesystem store and the
   * SQLite index always are: {@link LocalSettings} forces their paths there.
   */
  static List<String> stateOutsideData(Map<String, String> connector) {
    List<String> elsewhere = new ArrayList<>();
    StorageBackend store = new StorageConfig(connector).backend();
    if (store != StorageBackend.FILESYSTEM) {
      elsewhere.add("the store (" + StorageConfig.BACKEND + "=" + store.configName() + ")");
    }
    IndexConfig index = new IndexConfig(connector);
    if (index.backend() != IndexBackend.SQLITE && index.backend() != IndexBackend.NONE) {
      elsewhere.add(
          "the page index (" + IndexConfig.BACKEND + "=" + index.backend().configName() + ")");
    }
    List<String> secondaries =
        index.secondaries().stream()
            .filter(b -> b != IndexBackend.SQLITE)
            .map(IndexBackend::configName)
            .toList();
    if (!secondaries.isEmpty()) {
      elsewhere.add(
          "the secondary index ("
              + IndexConfig.SECONDARY
              + "="
              + String.join(",", secondaries)
              + ")");
    }
    return elsewhere;
  }
}
