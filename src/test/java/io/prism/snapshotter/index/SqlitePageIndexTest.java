package io.prism.snapshotter.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePageIndexTest extends PageIndexContract {
  @TempDir Path dir;

  @Override
  protected PageIndex newIndex() {
    return SqlitePageIndex.open(dir.resolve("nested/dir/index.db"));
  }

  @Test
  void entriesSurviveReopeningTheFile() {
    IndexEntry page = entry("w1", 1, 10, 20);
    index.publish(List.of(page));
    index.close();

    index = newIndex();
    assertThat(index.entries("w1", TimeRange.ALL)).containsExactly(page);
  }

  @Test
  void aPublishIsSyncedToDiskBeforeItReturns() {
    // WAL mode's usual synchronous=NORMAL may lose a committed publish on power failure, after
    // the sink has committed the offsets past its page; FULL syncs the WAL at every commit.
    assertThat(((SqlitePageIndex) index).synchronousSetting()).isEqualTo(2);
  }
}
