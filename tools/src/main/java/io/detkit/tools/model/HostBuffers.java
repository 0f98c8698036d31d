package io.detkit.tools.model;

import io.detkit.core.tensor.FloatChunks;
import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between dense ND4J arrays (FLOAT or DOUBLE, C order, contiguous, views included)
 * and Java {@code double[]} scratch arrays, through the arrays' NIO views. The layers of this
 * package run their small element-wise kernels as primitive loops over such scratch arrays: one
 * bulk copy in and out instead of a dozen ND4J operations (~20 us each plus an off-heap buffer
 * apiece) on tensors of a few ten thousand values.
 */
final class HostBuffers {
  private HostBuffers() {}

  /** {@code a} itself when it is dense C order, else a dense copy. */
  static INDArray dense(INDArray a) {
    return isDense(a) ? a : a.dup('c');
  }

  /**
   * Reads the {@code a.length()} values of {@code a} (dense, C order) into {@code scratch} when it
   * is long enough, else into a new array.
   *
   * @return the array holding the values in its first {@code a.length()} slots
   * @throws IllegalArgumentException if {@code a} is not dense or not FLOAT/DOUBLE
   */
  static double[] read(INDArray a, double[] scratch) {
    int n = checkDense(a);
    double[] out = scratch != null && scratch.length >= n ? scratch : new double[n];
    transfer(a, out, n, true);
    return out;
  }

  /**
   * Writes the first {@code dst.length()} values of {@code src} into {@code dst} (dense, C order),
   * rounded to float32 for a FLOAT array.
   *
   * @throws IllegalArgumentException if {@code dst} is not dense or not FLOAT/DOUBLE
   */
  static void write(double[] src, INDArray dst) {
    transfer(dst, src, checkDense(dst), false);
  }

  /** Copies {@code n} values from {@code a} into {@code values} ({@code toValues}) or back. */
  private static void transfer(INDArray a, double[] values, int n, boolean toValues) {
    Values v = new Values(a);
    if (toValues) {
      v.read(0, values, n);
    } else {
      v.write(values, 0, n);
    }
  }

  /**
   * The values of a dense FLOAT or DOUBLE array (C order), read into and written from
   * {@code double[]} tiles by ranges of its C-order index, through one NIO view of the array (a
   * view costs a native call: once per array, not once per tile). Ranges may be read and written
   * from several threads at once.
   */
  static final class Values {
    private final INDArray a;
    private final int offset;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;

    /**
     * @throws IllegalArgumentException if {@code a} is not dense or not FLOAT/DOUBLE
     */
    Values(INDArray a) {
      checkDense(a);
      this.a = a;
      this.offset = (int) a.offset();
      boolean isDouble = a.dataType() == DataType.DOUBLE;
      this.doubles = isDouble ? a.data().asNioDouble() : null;
      this.floats = isDouble ? null : a.data().asNioFloat();
    }

    /** Values {@code [from, from + n)} into {@code to[0, n)}. */
    void read(int from, double[] to, int n) {
      if (doubles != null) {
        doubles.get(offset + from, to, 0, n);
      } else {
        FloatChunks.widen(floats, offset + from, to, 0, n);
      }
      Reference.reachabilityFence(a);
    }

    /** {@code from[0, n)} into values {@code [to, to + n)}, rounded to float32 for a FLOAT array. */
    void write(double[] from, int to, int n) {
      if (doubles != null) {
        doubles.put(offset + to, from, 0, n);
      } else {
        FloatChunks.narrow(from, 0, floats, offset + to, n);
      }
      Reference.reachabilityFence(a);
    }
  }

  private static boolean isDense(INDArray a) {
    return a.length() <= 1 || a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVectorOrScalar());
  }

  private static int checkDense(INDArray a) {
    if (!isDense(a) || (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE)) {
      throw new IllegalArgumentException("need a dense C-order FLOAT or DOUBLE array; got " + a.dataType() + " order "
          + a.ordering() + " element-wise stride " + a.elementWiseStride());
    }
    if (a.length() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("array too long for a scratch copy: " + a.length());
    }
    return (int) a.length();
  }
}
