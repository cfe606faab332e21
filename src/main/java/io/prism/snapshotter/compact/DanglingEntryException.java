package io.prism.snapshotter.compact;

import io.prism.snapshotter.util.Printable;

/**
 * A page the index lists for a writer is not in storage, and the index still lists it when asked
 * again: the entry is dangling (the page was deleted by an operator or a lifecycle rule, or an
 * older bucket was restored) and stays so, so running compaction again cannot help. {@code
 * snapshotter pages verify --repair} removes such entries. Nothing of the page's merge group was
 * changed.
 */
public final class DanglingEntryException extends RuntimeException {
  private final String writerId;
  private final String pageKey;

  DanglingEntryException(String writerId, String pageKey, Throwable cause) {
    super(
        "page "
            + pageKey
            + " of writer "
            + Printable.quote(writerId)
            + " is in the page index but not in storage (deleted by an operator or a lifecycle"
            + " rule, or an older bucket restored?): running again will not help; `snapshotter"
            + " pages verify --writer "
            + Printable.quote(writerId)
            + " --repair` removes the entries whose page is gone (nothing of this merge was"
            + " changed)",
        cause);
    this.writerId = writerId;
    this.pageKey = pageKey;
  }

  public String writerId() {
    return writerId;
  }

  public String pageKey() {
    return pageKey;
  }
}
