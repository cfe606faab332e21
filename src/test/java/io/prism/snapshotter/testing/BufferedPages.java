package io.prism.snapshotter.testing;

import io.prism.snapshotter.buffer.BufferVisitor;
import io.prism.snapshotter.buffer.PageAssembler;
import io.prism.snapshotter.buffer.PageBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/** The pages an assembler holds (not yet durable), as its survey walks them. */
public final class BufferedPages {
  private BufferedPages() {}

  /** Every page, open or closed, empty ones included. */
  public static List<PageBuffer> all(PageAssembler assembler) {
    return collect(assembler, false);
  }

  /** The open pages. */
  public static List<PageBuffer> open(PageAssembler assembler) {
    return collect(assembler, true);
  }

  private static List<PageBuffer> collect(PageAssembler assembler, boolean openOnly) {
    List<PageBuffer> pages = new ArrayList<>();
    assembler.survey(
        new BufferVisitor() {
          @Override
          public void partition(TopicPartition partition, long received, long durable) {}

          @Override
          public void page(PageBuffer page, boolean open) {
            if (open || !openOnly) {
              pages.add(page);
            }
          }
        });
    return pages;
  }
}
