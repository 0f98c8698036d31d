package io.detkit.core.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs one task on several threads at once, for the thread-safety tests of every module (shipped
 * in core's test-jar).
 *
 * <p>All threads wait on a barrier before each round so that the calls really overlap instead of
 * running one after another as thread start-up would otherwise arrange.
 */
public final class Concurrency {
  private Concurrency() {}

  /**
   * Calls {@code task} {@code rounds} times on each of {@code threads} threads, every round
   * started together, and returns every result (thread-major).
   *
   * @throws AssertionError wrapping the first failure of any call, or if the run takes more than
   *     two minutes (a deadlock)
   */
  public static <T> List<T> runTogether(int threads, int rounds, Callable<T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CyclicBarrier barrier = new CyclicBarrier(threads);
    try {
      List<Future<List<T>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          List<T> out = new ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            barrier.await(60, TimeUnit.SECONDS);
            out.add(task.call());
          }
          return out;
        }));
      }
      List<T> all = new ArrayList<>();
      for (Future<List<T>> f : futures) {
        all.addAll(f.get(120, TimeUnit.SECONDS));
      }
      return all;
    } catch (Exception e) {
      throw new AssertionError("concurrent run failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }
}
