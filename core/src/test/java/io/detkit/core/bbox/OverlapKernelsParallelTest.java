package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.testing.RandomBoxes;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * All-pairs problems large enough to run in parallel column blocks give, bit for bit, what the
 * serial loop gives one row at a time (each single row is below the parallel threshold); aligned
 * overlaps and their gradients are the same on pools of 1, 2 and 8 threads.
 */
class OverlapKernelsParallelTest {
  private static final int ROWS = 24;
  private static final int COLUMNS = OverlapKernels.COLUMN_BLOCK * 2 + 1234;

  private static double[] boxes(Random rnd, int n) {
    return RandomBoxes.doubles(rnd, n, 800, 800, 0, 200);
  }

  private static float[] narrow(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void parallelBlocksEqualTheSerialRows(OverlapMode mode) {
    assertThat((long) ROWS * COLUMNS).isGreaterThanOrEqualTo(OverlapKernels.PARALLEL_PAIRS);
    assertThat((long) COLUMNS).isLessThan(OverlapKernels.PARALLEL_PAIRS);
    Random rnd = new Random(mode.ordinal());
    double[] a = boxes(rnd, ROWS);
    double[] b = boxes(rnd, COLUMNS);
    double[] all = OverlapKernels.pairwise(a, b, mode, 1e-6);
    float[] allF = OverlapKernels.pairwise(narrow(a), narrow(b), mode, 1e-6f);
    double[] row = new double[COLUMNS];
    float[] rowF = new float[COLUMNS];
    for (int i = 0; i < ROWS; i++) {
      OverlapKernels.pairwise(a, i, i + 1, b, mode, 1e-6, row);
      OverlapKernels.pairwise(narrow(a), i, i + 1, narrow(b), mode, 1e-6f, rowF);
      assertThat(Arrays.copyOfRange(all, i * COLUMNS, (i + 1) * COLUMNS)).as("row %d", i).containsExactly(row);
      assertThat(Arrays.copyOfRange(allF, i * COLUMNS, (i + 1) * COLUMNS)).as("row %d", i).containsExactly(rowF);
    }
  }

  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void alignedOverlapsAndTheirGradientsDoNotDependOnThePool(OverlapMode mode) throws Exception {
    int n = OverlapGradKernels.PARALLEL_BOXES * 2 + 77;
    Random rnd = new Random(40 + mode.ordinal());
    double[] a = boxes(rnd, n);
    double[] b = boxes(rnd, n);
    double[] up = new double[n];
    for (int i = 0; i < n; i++) {
      up[i] = rnd.nextGaussian();
    }
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray pa = Tensors.create(a, dt, n, 4);
      INDArray pb = Tensors.create(b, dt, n, 4);
      INDArray g = Tensors.create(up, dt, n);
      Callable<double[][]> run = () -> new double[][] {
          Tensors.toDoubles(BboxOverlaps.bboxOverlaps(pa, pb, mode, true)),
          Tensors.toDoubles(BboxOverlaps.alignedVjp(pa, pb, mode, 1e-6, g))};
      double[][] serial = inPool(1, run);
      for (int threads : new int[] {2, 8}) {
        double[][] parallel = inPool(threads, run);
        assertThat(parallel[0]).as("%s %s overlaps, %d threads", mode, dt, threads).containsExactly(serial[0]);
        assertThat(parallel[1]).as("%s %s gradient, %d threads", mode, dt, threads).containsExactly(serial[1]);
      }
    }
  }

  private static double[][] inPool(int threads, Callable<double[][]> task) throws Exception {
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      return pool.submit(task).get();
    } finally {
      pool.shutdown();
    }
  }
}
