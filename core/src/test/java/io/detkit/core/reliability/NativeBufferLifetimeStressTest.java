package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * detkit reads and writes ND4J's off-heap buffers through NIO views, which do not keep the buffer's
 * owner alive: if the {@link INDArray} (or a temporary copy of it) becomes unreachable while a bulk
 * copy still runs, the deallocator may free the memory under the copy and the JVM dies in
 * {@code jlong_disjoint_arraycopy} (or the copy reads someone else's data). This test drives every
 * such path from many threads on large, freshly made arrays that only the call under test holds,
 * while another thread calls {@link System#gc()} without pause, and checks every result against
 * the serial one.
 *
 * <p>It runs in its own surefire execution ({@code native-buffer-lifetime} in core's POM) with a
 * small {@code -Dorg.bytedeco.javacpp.maxbytes}, so that JavaCPP also collects on allocation; a JVM
 * crash shows up as a failed fork. {@code -Ddetkit.reliability.lifetimeSeconds} sets the time per
 * scenario (default 4).
 */
class NativeBufferLifetimeStressTest {
  private static final int THREADS = 8;
  private static final long SECONDS = Long.getLong("detkit.reliability.lifetimeSeconds", 4);
  private static final int ROWS = 60_000;
  private static final int COLS = 40;

  private static float[] boxes(int n, int seed) {
    float[] b = new float[4 * n];
    for (int i = 0; i < n; i++) {
      float x = (i * 7 + seed) % 500;
      float y = (i * 13 + seed) % 400;
      b[4 * i] = x;
      b[4 * i + 1] = y;
      b[4 * i + 2] = x + 10 + (i % 50);
      b[4 * i + 3] = y + 10 + (i % 30);
    }
    return b;
  }

  private static double[] pattern(int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = (i % 1021) * 0.5;
    }
    return d;
  }

  /**
   * Runs {@code call} on {@link #THREADS} threads for {@link #SECONDS}, with a thread calling
   * {@code System.gc()} throughout; every call must return true.
   */
  private static int hammer(IntPredicate call) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    try {
      Future<?> gc = pool.submit(() -> {
        while (!stop.get()) {
          System.gc();
        }
      });
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int seed = t;
        workers.add(pool.submit(() -> {
          int calls = 0;
          while (System.nanoTime() < end) {
            if (!call.test(seed)) {
              throw new AssertionError("thread " + seed + " call " + calls + " returned a wrong result");
            }
            calls++;
          }
          return calls;
        }));
      }
      int total = 0;
      for (Future<Integer> w : workers) {
        total += w.get(SECONDS + 120, TimeUnit.SECONDS);
      }
      stop.set(true);
      gc.get(60, TimeUnit.SECONDS);
      return total;
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  @Test
  void bulkReadsOfArraysNobodyElseHoldsReturnTheirData() throws Exception {
    double[] expected = pattern(1 << 20);
    int calls = hammer(seed -> {
      // The argument is a fresh array (and, strided, a fresh dense copy inside toFloats) that only
      // the read itself keeps alive.
      float[] f = Tensors.toFloats(Tensors.create(expected, DataType.FLOAT, 1024, 1024));
      double[] d = Tensors.toDoubles(Tensors.create(expected, DataType.DOUBLE, 1024, 1024).transpose().transpose());
      float[] g = Tensors.toFloats(Tensors.create(expected, DataType.DOUBLE, 1024, 1024));
      for (int i = 0; i < expected.length; i += 997) {
        if (f[i] != (float) expected[i] || d[i] != expected[i] || g[i] != (float) expected[i]) {
          return false;
        }
      }
      return f[expected.length - 1] == (float) expected[expected.length - 1];
    });
    assertThat(calls).isPositive();
  }

  @Test
  void overlapsOfLargeTemporaryInputsMatchTheSerialResult() throws Exception {
    float[] a = boxes(ROWS, 1);
    float[] b = boxes(COLS, 3);
    float[] serial = Tensors.toFloats(BboxOverlaps.bboxOverlaps(
        Tensors.create(a, DataType.FLOAT, ROWS, 4), Tensors.create(b, DataType.FLOAT, COLS, 4)));
    int calls = hammer(seed -> {
      float[] got = Tensors.toFloats(BboxOverlaps.bboxOverlaps(
          Tensors.create(a, DataType.FLOAT, ROWS, 4), Tensors.create(b, DataType.FLOAT, COLS, 4)));
      return java.util.Arrays.equals(got, serial);
    });
    assertThat(calls).isPositive();
  }

  @Test
  void gradientsReadingACastUpstreamChunkByChunkMatchTheSerialResult() throws Exception {
    float[] a = boxes(ROWS, 5);
    float[] b = boxes(COLS, 7);
    double[] up = pattern(ROWS * COLS);
    BboxOverlaps.Gradients serial = BboxOverlaps.vjp(Tensors.create(a, DataType.FLOAT, ROWS, 4),
        Tensors.create(b, DataType.FLOAT, COLS, 4), OverlapMode.GIOU, false, 1e-6,
        Tensors.create(up, DataType.DOUBLE, ROWS, COLS));
    float[] serial1 = Tensors.toFloats(serial.bboxes1());
    float[] serial2 = Tensors.toFloats(serial.bboxes2());
    int calls = hammer(seed -> {
      // A DOUBLE upstream for FLOAT boxes is cast to a temporary FLOAT copy that is read in chunks.
      BboxOverlaps.Gradients g = BboxOverlaps.vjp(Tensors.create(a, DataType.FLOAT, ROWS, 4),
          Tensors.create(b, DataType.FLOAT, COLS, 4), OverlapMode.GIOU, false, 1e-6,
          Tensors.create(up, DataType.DOUBLE, ROWS, COLS));
      return java.util.Arrays.equals(Tensors.toFloats(g.bboxes1()), serial1)
          && java.util.Arrays.equals(Tensors.toFloats(g.bboxes2()), serial2);
    });
    assertThat(calls).isPositive();
  }
}
