package io.prism.snapshotter.replay;

/**
 * A page a replay skipped as corrupt ({@link OnCorrupt#SKIP}).
 *
 * @param key the page's key
 * @param reason what was wrong, in the reader's words
 * @param eventsReplayed events of the page handed out before the damage was met (a page streamed
 *     event by event can be damaged part-way); 0 when it could not be opened at all
 */
public record SkippedPage(String key, String reason, long eventsReplayed) {}
