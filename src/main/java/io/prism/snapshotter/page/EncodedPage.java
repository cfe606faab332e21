package io.prism.snapshotter.page;

/**
 * The result of encoding a page.
 *
 * @param metadata the metadata written into the page
 * @param storedSizeBytes the bytes written to the output, i.e. the compressed size
 */
public record EncodedPage(PageMetadata metadata, long storedSizeBytes) {}
