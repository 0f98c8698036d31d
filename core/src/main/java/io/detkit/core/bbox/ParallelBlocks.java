package io.detkit.core.bbox;

import java.util.stream.IntStream;

/**
 * Splits an index range into fixed blocks that run on the common fork-join pool when the work is
 * large enough. The kernels that use it compute every element (or every box's slots) on its own, so
 * results do not depend on the split or on the number of threads.
 */
final class ParallelBlocks {
  /** Indices {@code [from, to)} of one block. */
  interface Range {
    void run(int from, int to);
  }

  private ParallelBlocks() {}

  /**
   * Runs {@code range} over {@code [0, n)}: in one call when {@code work < minWork} or there are
   * fewer than two blocks, else in blocks of {@code block} indices on the common pool.
   */
  static void run(int n, long work, long minWork, int block, Range range) {
    if (work < minWork || n < 2 * block) {
      range.run(0, n);
      return;
    }
    int blocks = (n + block - 1) / block;
    IntStream.range(0, blocks).parallel().forEach(c -> range.run(c * block, Math.min(n, (c + 1) * block)));
  }
}
