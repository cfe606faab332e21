package io.prism.snapshotter.storage;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param objects keys in ascending UTF-8 byte order (as S3 lists them)
 * @param nextContinuationToken pass to the next {@link ObjectStore#list} call; {@code null} when
 *     the listing is done
 */
public record ListPage(List<ObjectInfo> objects, String nextContinuationToken) {

  public ListPage {
    objects = List.copyOf(objects);
  }

  public boolean hasMore() {
    return nextContinuationToken != null;
  }
}
