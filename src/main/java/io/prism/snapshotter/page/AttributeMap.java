package io.prism.snapshotter.page;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable attribute map for the sink's per-record path: a handful of entries in an array, in
 * insertion order (the order they are written to the page).
 *
 * <p>Why not a {@code HashMap}: the sink builds one map per record and encodes it once, much later,
 * from another thread. A {@code HashMap} costs a table, a node per entry and, when iterated, a scan
 * of its table (cold in the cache by then) plus, behind {@code Collections.unmodifiableMap}, a
 * wrapper per entry. Here iteration walks one array of entries made once. Lookups are linear:
 * records carry a few headers.
 */
public final class AttributeMap extends AbstractMap<String, String> {
  private static final Entry<String, String>[] NONE = newEntries(0);

  private final Entry<String, String>[] entries;
  private final int size;
  private final Set<Entry<String, String>> entrySet = new EntrySet();

  private AttributeMap(Entry<String, String>[] entries, int size) {
    this.entries = entries;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  private static Entry<String, String>[] newEntries(int capacity) {
    return (Entry<String, String>[]) new Entry[capacity];
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String get(Object key) {
    for (int i = 0; i < size; i++) {
      if (entries[i].getKey().equals(key)) {
        return entries[i].getValue();
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null; // values are never null
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return entrySet;
  }

  private final class EntrySet extends AbstractSet<Entry<String, String>> {
    @Override
    public int size() {
      return size;
    }

    @Override
    public Iterator<Entry<String, String>> iterator() {
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < size;
        }

        @Override
        public Entry<String, String> next() {
          if (next >= size) {
            throw new NoSuchElementException();
          }
          return entries[next++];
        }
      };
    }
  }

  /**
   * Collects entries; a key added again keeps its first position and takes the new value, as in a
   * LinkedHashMap.
   */
  public static final class Builder {
    private Entry<String, String>[] entries = NONE;
    private int size;

    private Builder() {}

    public Builder put(String key, String value) {
      Entry<String, String> entry = Map.entry(key, value); // rejects nulls
      for (int i = 0; i < size; i++) {
        if (entries[i].getKey().equals(key)) {
          entries[i] = entry;
          return this;
        }
      }
      if (size == entries.length) {
        entries = Arrays.copyOf(entries, Math.max(4, size * 2));
      }
      entries[size++] = entry;
      return this;
    }

    public boolean isEmpty() {
      return size == 0;
    }

    /** The map; the builder must not be used afterwards. */
    public Map<String, String> build() {
      if (size == 0) {
        return Map.of();
      }
      AttributeMap map = new AttributeMap(entries, size);
      entries = null;
      return map;
    }
  }
}
