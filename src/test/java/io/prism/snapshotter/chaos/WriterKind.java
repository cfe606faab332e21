package io.prism.snapshotter.chaos;

/** How a writer of the chaos load sends its events. */
enum WriterKind {
  /** One front-door Publish call per event. */
  UNARY,
  /** Front-door BatchPublish calls of several events. */
  BATCH,
  /** Front-door PublishSession streams; each session's end stores the writer's page. */
  SESSION,
  /** A plain Kafka producer writing to the connector's topic, bypassing the front door. */
  KAFKA
}
