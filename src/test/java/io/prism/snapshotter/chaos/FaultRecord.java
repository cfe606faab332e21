package io.prism.snapshotter.chaos;

import java.util.OptionalDouble;

/**
 * One injected fault and how long the deployment took to recover from it.
 *
 * @param kind what was done
 * @param target which process
 * @param atSeconds when, seconds after the load started
 * @param outageSeconds how long the process was down or frozen
 * @param frontDoorBackSeconds from the end of the outage to the next acknowledged front-door call
 * @param caughtUpSeconds from the end of the outage until the connector had committed (stored and
 *     indexed) every record that was in Kafka at that moment; empty if it had not within the limit
 */
record FaultRecord(
    FaultKind kind,
    String target,
    double atSeconds,
    double outageSeconds,
    OptionalDouble frontDoorBackSeconds,
    OptionalDouble caughtUpSeconds) {}
