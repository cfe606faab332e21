package io.prism.snapshotter.compact;

import io.prism.snapshotter.index.IndexEntry;
import java.util.List;

/**
 * A merged page ready to store: its bytes, its index entry, and what it replaces.
 *
 * @param droppedRepeats events left out because an earlier source already held their event id
 */
record MergedPage(
    String id,
    String key,
    byte[] bytes,
    IndexEntry entry,
    List<String> sourceKeys,
    long droppedRepeats) {}
