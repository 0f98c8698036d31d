package io.detkit.tools.model;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a host loop over {@code [0, n)} in contiguous chunks on ND4J's number of compute threads
 * ({@code OMP_NUM_THREADS}), so that this package's primitive loops use the cores that libnd4j's
 * own operations use; the system property {@code detkit.hostThreads} overrides the number (for
 * example 2 host threads beside one libnd4j thread, whose operations gain little from a second
 * one on small maps: the {@code detkit} wrapper passes one host thread per core beside its one
 * libnd4j thread). The caller runs the first chunk and forks the others into the common
 * fork-join pool; a chunk no worker has started when the caller gets to it runs on the caller, so
 * a loaded machine costs no wait for a descheduled thread. With one compute thread everything
 * runs on the caller.
 *
 * <p>Results do not depend on the split as long as each index's work writes only its own outputs
 * (the contract of {@link Body}): any reduction across indices belongs after the call, in index
 * order.
 */
final class HostSplit {
  /** Compute threads: {@code detkit.hostThreads}, else ND4J's; at most the cores. */
  private static volatile int parts = (int) Math.min(Runtime.getRuntime().availableProcessors(),
      SystemSettings.longAtLeast("detkit.hostThreads", Math.max(1, Nd4j.getEnvironment().maxThreads()), 1));

  private HostSplit() {}

  /**
   * Sets the number of chunks a large loop is split into (tests pin the bits of several splits
   * against one chunk); returns the previous number.
   */
  static int setParts(int n) {
    int old = parts;
    parts = Math.max(1, n);
    return old;
  }

  /** A loop body over the indices {@code [from, to)}; writes only outputs of those indices. */
  @FunctionalInterface
  interface Body {
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over {@code [0, n)}, in one call when {@code n * cost} (the work, in
   * elements) is below {@code minWork} or there is one compute thread, else in up to as many
   * chunks as compute threads. Returns when every chunk has run; a chunk's exception is rethrown.
   */
  static void forRange(int n, long cost, long minWork, Body body) {
    int parts = (int) Math.min(Math.min(HostSplit.parts, n), Math.max(1, n * cost / Math.max(1, minWork)));
    if (parts <= 1) {
      body.run(0, n);
      return;
    }
    @SuppressWarnings("unchecked")
    ForkJoinTask<Void>[] forked = new ForkJoinTask[parts - 1];
    for (int p = 1; p < parts; p++) {
      int from = (int) ((long) n * p / parts);
      int to = (int) ((long) n * (p + 1) / parts);
      forked[p - 1] = ForkJoinPool.commonPool().submit(() -> body.run(from, to), null);
    }
    body.run(0, (int) ((long) n / parts));
    for (int p = parts - 2; p >= 0; p--) {
      ForkJoinTask<Void> t = forked[p];
      if (!t.isDone() && t.tryUnfork()) {
        t.invoke();
      } else {
        t.join();
      }
    }
  }
}
