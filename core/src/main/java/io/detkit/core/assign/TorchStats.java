package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;

/**
 * Column mean and unbiased standard deviation of a small row-major {@code [rows, cols]} matrix,
 * reproducing PyTorch's CPU reductions ({@code t.mean(0)}, {@code t.std(0)}) bit for bit.
 *
 * <p>ATSS compares candidate IoUs with {@code mean + std}; when candidates tie (a gt centred on a
 * symmetric anchor grid) the comparison is decided in the last bit of the mean, so the summation
 * order matters. PyTorch sums float32 in float32 with a layout-dependent order: a single column is
 * summed as a contiguous row (8-wide vector lanes, each lane summed four-way interleaved, tail
 * first), while several columns are summed down the rows either with a multi-level cascade (full
 * blocks of 4 columns, or 32 on the vectorised path) or with the four-way interleaved row sum (the
 * columns left over). The mean is that sum divided by the row count. The standard deviation uses
 * Welford's update in double precision, rounded once at the end.
 *
 * <p>The vector widths are those of PyTorch's default AVX2 / NEON kernels: 8 floats, 4 doubles.
 * With {@code f32} false every operation stays in double (the float64 path).
 */
final class TorchStats {
  private static final int ILP = 4;
  private static final int NUM_LEVELS = 4;

  private final boolean f32;
  private final int vecWidth;

  TorchStats(boolean f32) {
    this.f32 = f32;
    this.vecWidth = f32 ? 8 : 4;
  }

  /** PyTorch's {@code t.sum(0)[col]} for a contiguous {@code [rows, cols]} matrix {@code m}. */
  double columnSum(double[] m, int rows, int cols, int col) {
    if (cols == 1) {
      return rows >= vecWidth ? vectorizedInnerSum(m, rows) : rowSum(m, 0, 1, rows);
    }
    int cascadeCols;
    if (cols >= vecWidth) {
      int block = 4 * vecWidth;
      cascadeCols = cols / block * block;
    } else {
      cascadeCols = cols / 4 * 4;
    }
    return col < cascadeCols ? cascadeSum(m, col, cols, rows) : rowSum(m, col, cols, rows);
  }

  /** {@code t.mean(0)[col]}: the sum divided by the row count in the working precision. */
  double columnMean(double[] m, int rows, int cols, int col) {
    return round(columnSum(m, rows, cols, col) / rows, f32);
  }

  /** {@code t.std(0)[col]} with Bessel's correction; NaN for a single row, as PyTorch. */
  double columnStd(double[] m, int rows, int cols, int col) {
    double mean = 0;
    double m2 = 0;
    for (int r = 0; r < rows; r++) {
      double x = m[r * cols + col];
      double nf = r + 1;
      double delta = x - mean;
      mean = mean + delta / nf;
      m2 = m2 + delta * (x - mean);
    }
    double divisor = rows > 1 ? rows - 1 : 0;
    return round(Math.sqrt(m2 / divisor), f32);
  }

  /** PyTorch's multi-level cascade sum over {@code size} elements starting at {@code start}. */
  private double cascadeSum(double[] m, int start, int stride, int size) {
    int levelPower = Math.max(4, ceilLog2(size) / NUM_LEVELS);
    int levelStep = 1 << levelPower;
    long levelMask = levelStep - 1;
    double[] acc = new double[NUM_LEVELS];
    int i = 0;
    while (i + levelStep <= size) {
      for (int j = 0; j < levelStep; j++, i++) {
        acc[0] = round(acc[0] + m[start + i * stride], f32);
      }
      for (int j = 1; j < NUM_LEVELS; j++) {
        acc[j] = round(acc[j] + acc[j - 1], f32);
        acc[j - 1] = 0;
        long mask = levelMask << (j * levelPower);
        if ((i & mask) != 0) {
          break;
        }
      }
    }
    for (; i < size; i++) {
      acc[0] = round(acc[0] + m[start + i * stride], f32);
    }
    for (int j = 1; j < NUM_LEVELS; j++) {
      acc[0] = round(acc[0] + acc[j], f32);
    }
    return acc[0];
  }

  /** PyTorch's row sum: four interleaved cascades, the tail into the first, then combined. */
  private double rowSum(double[] m, int start, int stride, int size) {
    int sizeIlp = size / ILP;
    double[] partial = new double[ILP];
    for (int k = 0; k < ILP; k++) {
      partial[k] = cascadeSum(m, start + k * stride, ILP * stride, sizeIlp);
    }
    for (int i = sizeIlp * ILP; i < size; i++) {
      partial[0] = round(partial[0] + m[start + i * stride], f32);
    }
    for (int k = 1; k < ILP; k++) {
      partial[0] = round(partial[0] + partial[k], f32);
    }
    return partial[0];
  }

  /** A contiguous run summed in vector lanes: lane sums, then tail elements, then lanes in order. */
  private double vectorizedInnerSum(double[] m, int size) {
    int vecs = size / vecWidth;
    double[] lanes = new double[vecWidth];
    for (int l = 0; l < vecWidth; l++) {
      lanes[l] = rowSum(m, l, vecWidth, vecs);
    }
    double acc = 0;
    for (int k = vecs * vecWidth; k < size; k++) {
      acc = round(acc + m[k], f32);
    }
    for (int l = 0; l < vecWidth; l++) {
      acc = round(acc + lanes[l], f32);
    }
    return acc;
  }

  private static int ceilLog2(int x) {
    if (x <= 2) {
      return 1;
    }
    return 64 - Long.numberOfLeadingZeros((long) x - 1);
  }
}
