package io.detkit.heads.anchorfree;

import io.detkit.core.tensor.Tensors;
import io.detkit.core.precision.Precision;
import java.lang.ref.Reference;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layout and per-image helpers of the anchor-free heads: an NCHW head output seen as one row per
 * (image, point) ({@code permute(0, 2, 3, 1).reshape(-1, C)}) and back, gathers, and the image
 * indices per-image work runs over ({@link io.detkit.heads.ImageParallelism}); the rounding is
 * {@link Precision}'s.
 */
final class PointLayout {
  private PointLayout() {}

  /**
   * Rows {@code [N*H*W, C]} of an NCHW array given flat: row {@code n*HW + p}, column {@code c} is
   * element {@code (n, c, p)}.
   */
  static double[] toRows(double[] nchw, int n, int c, int hw) {
    return permute(nchw, n, c, hw, true);
  }

  /** The inverse of {@link #toRows}: rows {@code [N*HW, C]} back to a flat NCHW array. */
  static double[] fromRows(double[] rows, int n, int c, int hw) {
    return permute(rows, n, c, hw, false);
  }

  /** NCHW to rows ({@code toRows}) or back: one index map, read in one direction or the other. */
  private static double[] permute(double[] src, int n, int c, int hw, boolean toRows) {
    double[] dst = new double[src.length];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < c; k++) {
        int plane = (i * c + k) * hw;
        for (int p = 0; p < hw; p++) {
          int row = (i * hw + p) * c + k;
          if (toRows) {
            dst[row] = src[plane + p];
          } else {
            dst[plane + p] = src[row];
          }
        }
      }
    }
    return dst;
  }

  /**
   * Output {@code name} of every level as rows {@code [sum_l N*H_l*W_l, k]}, level-major and
   * image-major inside a level (MMDetection's {@code torch.cat} of the flattened levels).
   */
  static double[] concatRows(io.detkit.heads.HeadOutputs outputs, String name, PointBatch batch, int k) {
    int total = 0;
    for (int l = 0; l < batch.featmapSizes().size(); l++) {
      total += batch.numImages() * batch.pointsOf(l);
    }
    double[] all = new double[total * k];
    int o = 0;
    for (int l = 0; l < batch.featmapSizes().size(); l++) {
      int hw = batch.pointsOf(l);
      double[] rows = toRows(finiteData(outputs.get(name, l), name + "[" + l + "]"), batch.numImages(), k, hw);
      System.arraycopy(rows, 0, all, o, rows.length);
      o += rows.length;
    }
    return all;
  }

  /** Indices of the rows whose label is a foreground class ({@code 0 <= label < numClasses}), ascending. */
  static int[] positives(long[] labels, int numClasses) {
    int count = 0;
    for (long v : labels) {
      count += v >= 0 && v < numClasses ? 1 : 0;
    }
    int[] pos = new int[count];
    for (int i = 0, k = 0; i < labels.length; i++) {
      if (labels[i] >= 0 && labels[i] < numClasses) {
        pos[k++] = i;
      }
    }
    return pos;
  }

  /** Rows {@code idx} of a flat {@code k}-column array. */
  static double[] gather(double[] all, int[] idx, int k) {
    double[] out = new double[idx.length * k];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(all, idx[i] * k, out, i * k, k);
    }
    return out;
  }

  /** The points of every level repeated per image, in {@link #concatRows}'s row order: {@code 2} per row. */
  static double[] repeatedPoints(java.util.List<double[]> points, PointBatch batch) {
    int n = batch.numImages();
    int total = 0;
    for (double[] p : points) {
      total += n * p.length;
    }
    double[] out = new double[total];
    int o = 0;
    for (double[] p : points) {
      for (int j = 0; j < n; j++) {
        System.arraycopy(p, 0, out, o, p.length);
        o += p.length;
      }
    }
    return out;
  }

  /**
   * The inverse of {@link #concatRows}: each level's NCHW values written into the dense C-order
   * array {@code into} gives for it (of the batch's dtype and the level's shape), then handed to
   * {@code done}.
   */
  static void splitRows(double[] all, PointBatch batch, int k, IntFunction<INDArray> into,
      BiConsumer<Integer, INDArray> done) {
    int n = batch.numImages();
    int o = 0;
    for (int l = 0; l < batch.featmapSizes().size(); l++) {
      int hw = batch.pointsOf(l);
      double[] level = fromRows(java.util.Arrays.copyOfRange(all, o, o + n * hw * k), n, k, hw);
      o += n * hw * k;
      INDArray nchw = into.apply(l);
      write(level, nchw);
      done.accept(l, nchw);
    }
  }

  /** {@code values} (rounded to float32 for a FLOAT array) written into the dense C-order {@code out}. */
  private static void write(double[] values, INDArray out) {
    if (values.length == 0) {
      return;
    }
    try {
      if (out.dataType() == DataType.FLOAT) {
        out.data().asNioFloat().put(0, Tensors.narrow(values));
      } else {
        out.data().asNioDouble().put(0, values);
      }
    } finally {
      // The NIO view does not keep the array's off-heap buffer alive on its own.
      Reference.reachabilityFence(out);
    }
  }

  /** The image indices {@code 0 .. n-1}, the inputs of {@link io.detkit.heads.ImageParallelism#map}. */
  static List<Integer> imageIndices(int n) {
    return java.util.stream.IntStream.range(0, n).boxed().toList();
  }

  /** {@code x} rounded to float32 when {@code f32}. */
  static double r(double x, boolean f32) {
    return precision(f32).round(x);
  }

  /** The sigmoid in the working precision. */
  static double sigmoid(double x, boolean f32) {
    return precision(f32).sigmoid(x);
  }

  private static Precision precision(boolean f32) {
    return f32 ? Precision.F32 : Precision.F64;
  }

  /**
   * Flat values of a head output (a copy) for the primitive loops, checked to be finite in the same
   * pass: a NaN or infinite output must not turn into a silently wrong loss or detection.
   *
   * @throws IllegalArgumentException naming {@code what} and the first non-finite element
   */
  static double[] finiteData(org.nd4j.linalg.api.ndarray.INDArray a, String what) {
    double[] v = Tensors.toDoubles(a);
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException(what + " must be finite; element " + i + " (flat) is " + v[i]);
      }
    }
    return v;
  }
}
