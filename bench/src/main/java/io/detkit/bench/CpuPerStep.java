package io.detkit.bench;

import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadStep;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

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
    HeadStep headStep = new HeadStep();
    Runnable step = args[1].equals("targets") ? s::computeTargets : () -> {
      try (HeadLoss l = s.benchHead.step(s.outputs, s.gts, s.metas, headStep)) {
        HeadBench.consume(l);
      }
    };
    for (int i = 0; i < Math.max(20, steps / 3); i++) {
      step.run();
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long cpu0 = cpu(threads);
    long heap0 = allocated(threads);
    long[] wall = new long[steps];
    for (int i = 0; i < steps; i++) {
      long t = System.nanoTime();
      step.run();
      wall[i] = System.nanoTime() - t;
    }
    long cpu = cpu(threads) - cpu0;
    long heap = allocated(threads) - heap0;
    Arrays.sort(wall);
    System.out.printf("%s %s: java-thread CPU %.3f ms/step, heap %.2f MB/step, wall p50 %.3f p90 %.3f ms (%d steps)%n",
        args[0], args[1], cpu / 1e6 / steps, heap / 1e6 / steps, wall[steps / 2] / 1e6, wall[steps * 9 / 10] / 1e6,
        steps);
    s.tearDown();
  }

  /** Every live Java thread's CPU time (a thread that ended in between drops out: the pools' stay). */
  private static long cpu(ThreadMXBean threads) {
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      sum += Math.max(threads.getThreadCpuTime(id), 0);
    }
    return sum;
  }

  private static long allocated(com.sun.management.ThreadMXBean threads) {
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      sum += Math.max(threads.getThreadAllocatedBytes(id), 0);
    }
    return sum;
  }
}
