package io.detkit.core.coder;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code DistancePointBBoxCoder} (FCOS, GFL, TOOD): a box {@code (x1, y1, x2,
 * y2)} is encoded relative to a point prior {@code (x, y)} as the distances {@code (left, top,
 * right, bottom) = (x - x1, y - y1, x2 - x, y2 - y)}; with {@code max_dis} each distance is clamped
 * to {@code [0, max_dis - eps]} ({@code eps} default 0.1). Decoding inverts this and, with {@code
 * clip_border} and a {@code max_shape}, clamps the boxes to the image ({@code torch.where}, so the
 * gradient is zero where a value was clamped).
 *
 * <p>Priors are {@code [N, 2]} points; {@link #priorDim()} is 2. Config keys ({@code
 * type='DistancePointBBoxCoder'}): {@code clip_border} (True). Immutable and thread-safe.
 */
public final class DistancePointBBoxCoder extends BaseBBoxCoder {
  /** MMDetection's default {@code eps} for {@code max_dis} clamping. */
  public static final double DEFAULT_EPS = 0.1;

  private final boolean clipBorder;

  /**
   * A coder for point priors {@code [N,2]} {@code (x, y)} and distances {@code (left, top, right,
   * bottom)}.
   *
   * @param clipBorder whether decoding clamps boxes to {@code max_shape}
   */
  public DistancePointBBoxCoder(boolean clipBorder) {
    super(2, false);
    this.clipBorder = clipBorder;
  }

  /** MMDetection's default: clip_border on. */
  public DistancePointBBoxCoder() {
    this(true);
  }

  /**
   * Builds from an MMDetection config dict, as {@link io.detkit.core.CoreRegistries#BBOX_CODERS} does for
   * type {@code DistancePointBBoxCoder} (the {@code type} key is not checked here).
   *
   * @throws io.detkit.core.config.ConfigException naming the key for a missing, unknown-typed or
   *     invalid parameter
   */
  public static DistancePointBBoxCoder fromConfig(Config c) {
    return new DistancePointBBoxCoder(c.getBoolean("clip_border", true));
  }

  /** Whether decoding clamps boxes to {@code max_shape}. */
  public boolean clipBorder() {
    return clipBorder;
  }

  /**
   * {@link #encode(INDArray, INDArray)} with each distance clamped to {@code [0, maxDis - eps]}.
   *
   * @param maxDis the distance bound, or null for no clamping
   * @throws IllegalArgumentException if {@code maxDis} or {@code eps} is not finite
   */
  public INDArray encode(INDArray points, INDArray gtBboxes, Double maxDis, double eps) {
    checkBound(maxDis, eps);
    return encodeWith(points, gtBboxes, kernel(maxDis, eps));
  }

  /** Flat float32 {@link #encode(INDArray, INDArray, Double, double)}. */
  public float[] encode(float[] points, float[] gtBboxes, Double maxDis, double eps) {
    checkBound(maxDis, eps);
    return Tensors.narrow(encodeFlat(Tensors.widen(points), Tensors.widen(gtBboxes), true,
        kernel(maxDis, eps)));
  }

  /** Flat float64 {@link #encode(INDArray, INDArray, Double, double)}. */
  public double[] encode(double[] points, double[] gtBboxes, Double maxDis, double eps) {
    checkBound(maxDis, eps);
    return encodeFlat(points, gtBboxes, false, kernel(maxDis, eps));
  }

  private static void checkBound(Double maxDis, double eps) {
    if ((maxDis != null && !Double.isFinite(maxDis)) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("max_dis and eps must be finite; got max_dis=" + maxDis + ", eps=" + eps);
    }
  }

  private EncodeKernel kernel(Double maxDis, double eps) {
    return (p, g, f, out) -> encode(p, g, maxDis, eps, f, out);
  }

  @Override
  void encodeKernel(double[] points, double[] gt, boolean f32, double[] out) {
    encode(points, gt, null, DEFAULT_EPS, f32, out);
  }

  private static void encode(double[] points, double[] gt, Double maxDis, double eps, boolean f, double[] out) {
    int n = points.length / 2;
    // Python subtracts first, in double; torch then casts the bound to the tensor's dtype.
    double hi = maxDis == null ? 0 : round(maxDis - eps, f);
    for (int i = 0; i < n; i++) {
      double x = points[2 * i];
      double y = points[2 * i + 1];
      int o = 4 * i;
      out[o] = round(x - gt[o], f);
      out[o + 1] = round(y - gt[o + 1], f);
      out[o + 2] = round(gt[o + 2] - x, f);
      out[o + 3] = round(gt[o + 3] - y, f);
      if (maxDis != null) {
        for (int j = 0; j < 4; j++) {
          out[o + j] = Math.min(Math.max(out[o + j], 0), hi);
        }
      }
    }
  }

  @Override
  void decodeKernel(double[] points, double[] pred, int[] maxShape, boolean f, double[] out, double[] upstream,
      double[] grad) {
    int n = points.length / 2;
    ClipBounds bounds = ClipBounds.of(clipBorder, maxShape, f);
    for (int i = 0; i < n; i++) {
      double x = points[2 * i];
      double y = points[2 * i + 1];
      int o = 4 * i;
      double[] box = {round(x - pred[o], f), round(y - pred[o + 1], f), round(x + pred[o + 2], f), round(y + pred[o + 3], f)};
      for (int j = 0; j < 4; j++) {
        boolean passes = bounds.where(box, j);
        out[o + j] = box[j];
        if (grad != null) {
          grad[o + j] = !passes ? 0 : j < 2 ? -upstream[o + j] : upstream[o + j];
        }
      }
    }
  }

  @Override
  public String toString() {
    return "DistancePointBBoxCoder(clip_border=" + (clipBorder ? "True" : "False") + ")";
  }
}
