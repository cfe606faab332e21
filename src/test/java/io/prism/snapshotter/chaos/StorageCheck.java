package io.prism.snapshotter.chaos;

import io.prism.snapshotter.page.Event;
import io.prism.snapshotter.storage.ObjectStore;
import io.prism.snapshotter.testing.StoredPages;
import io.prism.snapshotter.testing.StoredPages.StoredPage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every stored page read back, and the ClickHouse index compared with it.
 *
 * @param pages pages in the bucket
 * @param eventsStored events over all pages, copies included
 * @param eventsStoredTwice extra copies of events stored in more than one page (after a crash or a
 *     revocation; replay drops them by event id)
 * @param pagesWithRepeats pages holding at least one event another page holds too
 * @param indexEntries distinct page keys in the index (FINAL)
 * @param indexRows rows in the index table before merging (a re-published entry is a second row
 *     until ClickHouse merges it)
 * @param pagesNotIndexed stored pages without an index entry holding an event no indexed page
 *     holds: replay, which finds pages through the index, would miss it
 * @param redundantPagesNotIndexed stored pages without an index entry whose every event an indexed
 *     page holds too: left behind when a task died between storing a page and indexing it, and the
 *     re-delivered records formed pages with other boundaries (so other keys)
 * @param pagesIndexedTwice page keys with more than one entry after merging
 * @param entriesWithoutPage index entries naming a key the bucket does not hold
 */
record StorageCheck(
    long pages,
    long eventsStored,
    long eventsStoredTwice,
    long pagesWithRepeats,
    long indexEntries,
    long indexRows,
    long pagesNotIndexed,
    long redundantPagesNotIndexed,
    long pagesIndexedTwice,
    long entriesWithoutPage) {
  private static final Pattern ROW =
      Pattern.compile("\\{\"page_key\":\"((?:[^\"\\\\]|\\\\.)*)\",\"n\":\"?(\\d+)\"?\\}");

  static StorageCheck run(ObjectStore store, URI clickHouse, String table) throws Exception {
    List<StoredPage> stored = StoredPages.readAll(store, "");
    Map<String, Integer> copies = new HashMap<>();
    long events = 0;
    for (StoredPage page : stored) {
      for (Event event : page.page().events()) {
        copies.merge(event.eventId(), 1, Integer::sum);
        events++;
      }
    }
    long storedTwice = copies.values().stream().mapToLong(n -> n - 1).sum();
    long pagesWithRepeats =
        stored.stream()
            .filter(
                page -> page.page().events().stream().anyMatch(e -> copies.get(e.eventId()) > 1))
            .count();

    Map<String, Long> indexed =
        countsByKey(
            clickHouse,
            "SELECT page_key, count() AS n FROM "
                + table
                + " FINAL GROUP BY page_key FORMAT JSONEachRow");
    long rows =
        countsByKey(
                clickHouse,
                "SELECT page_key, count() AS n FROM "
                    + table
                    + " GROUP BY page_key FORMAT JSONEachRow")
            .values()
            .stream()
            .mapToLong(Long::longValue)
            .sum();
    Set<String> keys = new HashSet<>();
    stored.forEach(page -> keys.add(page.key()));
    Set<String> indexedEvents = new HashSet<>();
    stored.stream()
        .filter(page -> indexed.containsKey(page.key()))
        .forEach(page -> page.page().events().forEach(e -> indexedEvents.add(e.eventId())));
    long notIndexed = 0;
    long redundantNotIndexed = 0;
    for (StoredPage page : stored) {
      if (!indexed.containsKey(page.key())) {
        if (page.page().events().stream().allMatch(e -> indexedEvents.contains(e.eventId()))) {
          redundantNotIndexed++;
        } else {
          notIndexed++;
        }
      }
    }
    long twice = indexed.values().stream().filter(n -> n > 1).count();
    long orphans = indexed.keySet().stream().filter(k -> !keys.contains(k)).count();
    return new StorageCheck(
        stored.size(),
        events,
        storedTwice,
        pagesWithRepeats,
        indexed.size(),
        rows,
        notIndexed,
        redundantNotIndexed,
        twice,
        orphans);
  }

  private static Map<String, Long> countsByKey(URI clickHouse, String sql)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(clickHouse + "/?wait_end_of_query=1"))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(sql))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "ClickHouse answered " + response.statusCode() + " to " + sql + ": " + response.body());
    }
    Map<String, Long> counts = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = ROW.matcher(line);
      if (!m.matches()) {
        throw new IOException("unexpected ClickHouse row: " + line);
      }
      counts.put(
          m.group(1).replace("\\/", "/").replace("\\\"", "\"").replace("\\\\", "\\"),
          Long.parseLong(m.group(2)));
    }
    return counts;
  }
}
