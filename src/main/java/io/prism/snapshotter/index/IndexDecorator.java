package io.prism.snapshotter.index;

/**
 * Wraps each part of an index as it is opened, told which {@link PublishPath} its publishes come
 * by: how the sink task meters publishes behind the queues without this package knowing its metrics
 * (or Kafka Connect).
 */
@FunctionalInterface
public interface IndexDecorator {
  /** Leaves every part as it is (the CLI tools). */
  IndexDecorator NONE = (index, path) -> index;

  PageIndex decorate(PageIndex index, PublishPath path);
}
