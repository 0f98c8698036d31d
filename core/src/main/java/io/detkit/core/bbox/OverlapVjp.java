package io.detkit.core.bbox;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.tensor.Tensors;
import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass behind {@link BboxOverlaps#vjp} and {@link BboxOverlaps#alignedVjp}: argument
 * checks, chunked reading of the upstream gradient and the calls into {@link OverlapGradKernels}.
 * Stateless and thread-safe.
 */
final class OverlapVjp {
  private OverlapVjp() {}

  /** {@link BboxOverlaps#alignedVjp(double[], double[], OverlapMode, double, boolean, double[])}. */
  static double[] alignedVjp(double[] pred, double[] target, OverlapMode mode, double eps, boolean float32,
      double[] upstream) {
    Tensors.requireNonNull(pred, "pred");
    Tensors.requireNonNull(target, "target");
    Tensors.requireNonNull(upstream, "upstream");
    Tensors.requireNonNull(mode, "mode");
    if (pred.length % 4 != 0 || target.length != pred.length || upstream.length != pred.length / 4) {
      throw new IllegalArgumentException("pred and target must hold 4*n values and upstream n; got " + pred.length
          + ", " + target.length + " and " + upstream.length);
    }
    if (!Double.isFinite(eps) || eps < 0) {
      throw new IllegalArgumentException("eps must be finite and >= 0; got " + eps);
    }
    requireGradientRange(pred, "pred", target, "target", float32);
    Tensors.requireFinite(upstream, "upstream");
    double[] g = upstream.clone();
    roundAll(g, float32);
    double[] sums = new double[OverlapGradKernels.SLOTS * (pred.length / 4)];
    OverlapGradKernels.aligned(pred, target, mode, round(eps, float32), float32, g, sums, null);
    double[] grad = new double[pred.length];
    OverlapGradKernels.finish(pred, sums, float32, grad, 0);
    return grad;
  }

  /** The gradients w.r.t. both inputs ({@code [1]} null unless {@code wantSecond}), see {@link BboxOverlaps#vjp}. */
  static INDArray[] vjp(INDArray bboxes1, String name1, INDArray bboxes2, String name2, OverlapMode mode,
      boolean isAligned, double eps, INDArray upstream, boolean wantSecond, int chunkElements) {
    OverlapLayout l = OverlapLayout.check(bboxes1, name1, bboxes2, name2, mode, isAligned, eps);
    Tensors.requireFloating(upstream, "upstream");
    Tensors.requireShape(upstream, "upstream", l.outShape());
    if (l.isEmpty()) {
      return new INDArray[] {Nd4j.create(l.type, bboxes1.shape()),
          wantSecond ? Nd4j.create(l.type, bboxes2.shape()) : null};
    }
    boolean f32 = l.type == DataType.FLOAT;
    double[] a = Tensors.toDoubles(bboxes1);
    double[] b = Tensors.toDoubles(bboxes2);
    requireGradientRange(a, name1, b, name2, f32);
    double e = round(eps, f32);
    double[] ga = new double[a.length];
    double[] gb = wantSecond ? new double[b.length] : null;
    if (isAligned) {
      double[] g = Tensors.toDoubles(upstream);
      Tensors.requireFinite(g, "upstream");
      roundAll(g, f32);
      double[] sa = new double[OverlapGradKernels.SLOTS * (a.length / 4)];
      double[] sb = wantSecond ? new double[OverlapGradKernels.SLOTS * (b.length / 4)] : null;
      OverlapGradKernels.aligned(a, b, mode, e, f32, g, sa, sb);
      OverlapGradKernels.finish(a, sa, f32, ga, 0);
      if (wantSecond) {
        OverlapGradKernels.finish(b, sb, f32, gb, 0);
      }
    } else {
      UpstreamRows rows = new UpstreamRows(upstream, l.type);
      int rowsPerChunk = l.rowsPerChunk(chunkElements);
      double[] g = new double[rowsPerChunk * l.cols];
      for (int k = 0; k < l.batch; k++) {
        double[] ak = Arrays.copyOfRange(a, 4 * k * l.rows, 4 * (k + 1) * l.rows);
        double[] bk = Arrays.copyOfRange(b, 4 * k * l.cols, 4 * (k + 1) * l.cols);
        double[] area2 = new double[l.cols];
        for (int j = 0; j < l.cols; j++) {
          area2[j] = OverlapGradKernels.area(bk, j, f32);
        }
        double[] sa = new double[OverlapGradKernels.SLOTS * l.rows];
        double[] sb = wantSecond ? new double[OverlapGradKernels.SLOTS * l.cols] : null;
        for (int r0 = 0; r0 < l.rows; r0 += rowsPerChunk) {
          int r1 = Math.min(l.rows, r0 + rowsPerChunk);
          long base = (long) k * l.rows * l.cols + (long) r0 * l.cols;
          rows.read(base, (r1 - r0) * l.cols, g);
          requireFiniteUpstream(g, (r1 - r0) * l.cols, base);
          OverlapGradKernels.pairwise(ak, r0, r1, bk, area2, mode, e, f32, g, sa, sb);
        }
        OverlapGradKernels.finish(ak, sa, f32, ga, 4 * k * l.rows);
        if (wantSecond) {
          OverlapGradKernels.finish(bk, sb, f32, gb, 4 * k * l.cols);
        }
      }
    }
    return new INDArray[] {Tensors.create(ga, l.type, bboxes1.shape()),
        wantSecond ? Tensors.create(gb, l.type, bboxes2.shape()) : null};
  }

  /**
   * Finite coordinates within {@link OverlapKernels#SAFE_F32} (float32) or
   * {@link OverlapKernels#SAFE_F64}: the gradient loops have no scaled path, and beyond that range
   * their area products overflow. One pass over each input, which is also the finiteness check.
   *
   * @throws IllegalArgumentException naming the input and its first non-finite element, or the
   *     range when a finite coordinate is beyond it
   */
  private static void requireGradientRange(double[] a, String name1, double[] b, String name2, boolean f32) {
    if (OverlapKernels.withinFastRange(a, f32) && OverlapKernels.withinFastRange(b, f32)) {
      return;
    }
    Tensors.requireFinite(a, name1);
    Tensors.requireFinite(b, name2);
    throw new IllegalArgumentException("gradients of bbox_overlaps need coordinates within +/-"
        + (f32 ? "2^62 in float32" : "2^510 in float64") + ", where no area overflows; " + name1 + " or " + name2
        + " has a larger one (overlaps are scale-invariant: scale the boxes down)");
  }

  private static void roundAll(double[] g, boolean f32) {
    if (f32) {
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) g[i];
      }
    }
  }

  /** Chunk-wise, so that a large upstream is never copied whole just to be checked. */
  private static void requireFiniteUpstream(double[] g, int len, long base) {
    for (int i = 0; i < len; i++) {
      if (!Double.isFinite(g[i])) {
        throw new IllegalArgumentException("upstream must be finite; element " + (base + i) + " is " + g[i]);
      }
    }
  }

  /** Reads a large upstream gradient chunk by chunk, in C order, rounded to the boxes' precision. */
  private static final class UpstreamRows {
    /**
     * The array the views read from, often a temporary cast or dense copy that nothing else
     * holds: the NIO views do not keep it alive, so every read fences it.
     */
    private final INDArray owner;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;
    private float[] floatChunk = new float[0];

    UpstreamRows(INDArray upstream, DataType type) {
      INDArray u = upstream.dataType() == type ? upstream : upstream.castTo(type);
      if (u.ordering() != 'c' || u.offset() != 0 || u.elementWiseStride() != 1 || u.data().length() != u.length()) {
        u = u.dup('c');
      }
      owner = u;
      if (type == DataType.FLOAT) {
        floats = u.data().asNioFloat();
        doubles = null;
      } else {
        doubles = u.data().asNioDouble();
        floats = null;
      }
    }

    void read(long offset, int length, double[] dst) {
      try {
        if (floats != null) {
          if (floatChunk.length < length) {
            floatChunk = new float[length];
          }
          floats.position(Math.toIntExact(offset));
          floats.get(floatChunk, 0, length);
          for (int i = 0; i < length; i++) {
            dst[i] = floatChunk[i];
          }
        } else {
          doubles.position(Math.toIntExact(offset));
          doubles.get(dst, 0, length);
        }
      } finally {
        Reference.reachabilityFence(owner);
      }
    }
  }
}
