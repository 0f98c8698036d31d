package io.detkit.losses;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Helpers shared by the regression and IoU-family losses: float32 branch decisions and PyTorch's
 * subgradient conventions for the non-smooth operations the MMDetection formulas use.
 */
final class RegressionSupport {
  private RegressionSupport() {}

  /**
   * Whether PyTorch would run this call in float32 (both operands float32), so that branch
   * decisions such as {@code |d| < beta} are taken on float32 values exactly as MMDetection takes
   * them.
   */
  static boolean float32(INDArray a, INDArray b) {
    return a.dataType() == DataType.FLOAT && b.dataType() == DataType.FLOAT;
  }

  /** {@code |p - t|} rounded as the call's precision would round it. */
  static double absDiff(double p, double t, boolean f32) {
    return f32 ? Math.abs((float) p - (float) t) : Math.abs(p - t);
  }

  /** The derivative of {@code |x|} as PyTorch defines it: {@code sign(x)}, 0 at 0. */
  static double sign(double x) {
    return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
  }

  /**
   * {@code d max(a, b) / d a} with PyTorch's rule for ties: a tie sends half the gradient to each
   * side, which is what MMDetection's gradients for touching or identical boxes are built on.
   */
  static double dMaxFirst(double a, double b) {
    return a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }

  /** {@code d min(a, b) / d a}, ties split as in {@link #dMaxFirst}. */
  static double dMinFirst(double a, double b) {
    return a < b ? 1.0 : a == b ? 0.5 : 0.0;
  }

  /**
   * {@code d clamp(x, min=lo) / d x}: PyTorch passes the gradient where {@code x >= lo}
   * (inclusive), so a zero-width overlap still gets one.
   */
  static double dClampMin(double x, double lo) {
    return x >= lo ? 1.0 : 0.0;
  }
}
