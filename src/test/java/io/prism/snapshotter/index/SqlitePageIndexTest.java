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
}
