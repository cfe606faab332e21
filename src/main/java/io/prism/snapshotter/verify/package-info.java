/**
 * Checking the page index against storage: index entries whose page is gone (dangling), or whose
 * stored size is not the page's ({@code bin/snapshotter pages verify}). Knows the {@link
 * io.prism.snapshotter.index.PageIndex} and {@link io.prism.snapshotter.storage.ObjectStore}
 * interfaces only, so it works the same on every backend.
 */
package io.prism.snapshotter.verify;
