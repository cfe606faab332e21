/**
 * RFC-023 pages: the {@link io.prism.snapshotter.page.Event} and {@link
 * io.prism.snapshotter.page.PageMetadata} values, the two codecs (protobuf, NDJSON), the {@link
 * io.prism.snapshotter.page.Compression} enum, the streaming {@link
 * io.prism.snapshotter.page.PageEncoder} and the hostile-input-safe {@link
 * io.prism.snapshotter.page.PageReader}.
 *
 * <p>This package knows nothing of Kafka or of storage: it turns events into bytes on an {@code
 * OutputStream} and bytes from an {@code InputStream} back into events.
 */
package io.prism.snapshotter.page;
