package io.prism.snapshotter.buffer;

/**
 * Where closed pages go: encoded, stored and indexed. When {@link #write} returns, the page is
 * durable; when it throws, nothing may be assumed and the page will be written again.
 */
@FunctionalInterface
public interface PageSink {
  void write(PageBuffer page) throws Exception;
}
