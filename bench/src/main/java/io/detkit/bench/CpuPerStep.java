package io.detkit.bench;

import com.sun.management.ThreadMXBean;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadStep;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The CPU time every Java thread spends on one steady-state head step, its heap allocation and its
 * wall time, for A/B comparisons on a shared machine: at a load average of 5 to 15 a step's wall
 * time spreads 2-3x from run to run, the CPU its threads spend far less (ND4J's native threads are
 * not Java threads and are not counted). Inputs as {@link HeadState}, batch 1; the step is
 * {@code stepReused} (a kept {@link HeadStep}) or the targets alone.
 *
 * <p>Usage: {@code CpuPerStep <head> <stepReused|targets> <steps>}; prints one line. Warms up for a
 * third of the steps (at least 20) first.
 */
public final class CpuPerStep {
  private CpuPerStep() {}

  public static void main(String[] args) {
    if (args.length != 3 || !(args[1].equals("stepReused") || args[1].equals("targets"))) {
      throw new IllegalArgumentException("usage: CpuPerStep <head> <stepReused|targets> <steps>; got "
          + Arrays.toString(args));
    }
    int steps = Integer.parseInt(args[2]);
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1; got " + steps);
    }
    HeadState s = new HeadState();
    s.head = args[0];
    s.batch = 1;
    s.setUp();
    // Released on every path: a step that throws must not leave the head state's ND4J arrays behind.
    try {
      HeadStep headStep = new HeadStep();
      Runnable step = args[1].equals("targets") ? s::computeTargets : () -> {
        try (HeadLoss l = s.benchHead.step(s.outputs, s.gts, s.metas, headStep)) {
          HeadBench.consume(l);
        }
      };
      for (int i = 0; i < Math.max(20, steps / 3); i++) {
        step.run();
      }
      ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      Map<Long, Long> cpu0 = perThread(threads, ThreadMXBean::getThreadCpuTime);
      Map<Long, Long> heap0 = perThread(threads, ThreadMXBean::getThreadAllocatedBytes);
      long[] wall = new long[steps];
      for (int i = 0; i < steps; i++) {
        long t = System.nanoTime();
        step.run();
        wall[i] = System.nanoTime() - t;
      }
      long cpu = sinceThen(cpu0, perThread(threads, ThreadMXBean::getThreadCpuTime));
      long heap = sinceThen(heap0, perThread(threads, ThreadMXBean::getThreadAllocatedBytes));
      Arrays.sort(wall);
      System.out.printf("%s %s: java-thread CPU %.3f ms/step, heap %.2f MB/step, wall p50 %.3f p90 %.3f ms (%d steps)%n",
          args[0], args[1], cpu / 1e6 / steps, heap / 1e6 / steps, wall[steps / 2] / 1e6, wall[steps * 9 / 10] / 1e6,
          steps);
    } finally {
      s.tearDown();
    }
  }

  /** A counter of every live Java thread (CPU time, allocated bytes), by thread id; -1 (unsupported or ended) as 0. */
  private static Map<Long, Long> perThread(ThreadMXBean threads, BiFunction<ThreadMXBean, long[], long[]> counter) {
    long[] ids = threads.getAllThreadIds();
    long[] values = counter.apply(threads, ids);
    Map<Long, Long> out = new HashMap<>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      out.put(ids[i], Math.max(values[i], 0));
    }
    return out;
  }

  /**
   * The counters' growth between two snapshots: each thread alive at both, its difference; a thread
   * started in between, all of its count. A thread that ended in between drops out (its counter
   * can no longer be read), rather than its whole earlier count being taken off the sum.
   */
  private static long sinceThen(Map<Long, Long> before, Map<Long, Long> after) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }
}
