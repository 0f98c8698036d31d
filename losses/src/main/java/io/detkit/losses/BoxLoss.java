package io.detkit.losses;

import io.detkit.core.config.ParamChecks;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the IoU-family losses share: {@code [N,4]} (x1, y1, x2, y2) box validation, the weight
 * handling of MMDetection's forward methods, and their early return.
 *
 * <p>Weights: a per-box loss ({@code [N]}: IoU, GIoU, DIoU, CIoU) takes a weight of rank 2 only
 * with the prediction's shape {@code [N,4]} and averages it over the last dimension; a weight of
 * rank 0 or 1 broadcasts to {@code [N]}. A per-coordinate loss ({@code [N,4]}: BoundedIoU) takes a
 * weight that broadcasts to {@code [N,4]}.
 *
 * <p>Early return: when a weight is given and none of its elements is {@code > 0} (and, where
 * {@link #shortcutApplies} says so), MMDetection returns {@code (pred * weight).sum()}, a rank-0
 * value with {@code loss_weight} not applied, whatever the reduction; a weight of rank
 * {@code rank(pred) - 1} is unsqueezed to {@code [N,1]} first. The gradient is the broadcast
 * weight times the (scalar) upstream.
 *
 * <p>Its public methods are not final: javac then gives each public subclass a bridge to them,
 * which reflection from other packages needs (this class is package-private).
 */
abstract class BoxLoss<P extends Record> extends ParamLoss<P> {
  private final double eps;

  /** {@code eps} comes checked ({@link ParamChecks.PositiveFloat32}) from the subclass's {@code params}. */
  BoxLoss(LossOptions options, P params, double eps) {
    super(options, params);
    this.eps = eps;
  }

  /** The loss's {@code eps}; where it enters is described by each loss. */
  public double eps() {
    return eps;
  }

  @Override
  public String toString() {
    return describe("eps=" + eps);
  }

  /** True for an {@code [N]} loss (one value per box), false for an {@code [N,4]} one (BoundedIoU). */
  boolean perBox() {
    return true;
  }

  /** Whether the all-non-positive-weight early return applies under {@code r}. */
  boolean shortcutApplies(Reduction r) {
    return true;
  }

  /**
   * The element-wise loss of the validated {@code [N,4]} boxes and its backward map (upstream of
   * length {@code N} or {@code 4N} to a gradient of length {@code 4N}).
   */
  abstract Elementwise kernelOf(INDArray pred, INDArray target);

  @Override
  protected final LossResult compute(LossArgs args, Reduction r) {
    INDArray pred = Tensors.requireBoxes(args.pred(), "pred");
    Checks.sameShape(pred, Tensors.requireBoxes(args.target(), "target"), "target");
    if (args.weight().isPresent()) {
      INDArray w = args.weight().get();
      if (shortcutApplies(r) && noneAboveZero(Tensors.toDoubles(w))) {
        return shortcut(args, w);
      }
      checkWeightShape(w, pred);
    }
    return super.compute(args, r);
  }

  @Override
  protected final Elementwise kernel(LossArgs args) {
    return kernelOf(args.pred(), args.target());
  }

  @Override
  protected final double[] weightFor(INDArray weight, long[] lossShape, LossArgs args) {
    if (perBox() && weight.rank() > 1) {
      // MMDetection reduces an (N, 4) weight to (N,) with weight.mean(-1) to match the per-box loss.
      double[] w = Tensors.toDoubles(weight);
      int n = (int) lossShape[0];
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = (w[4 * i] + w[4 * i + 1] + w[4 * i + 2] + w[4 * i + 3]) / 4.0;
      }
      return out;
    }
    return WeightReduce.broadcast(weight, lossShape, "weight");
  }

  private void checkWeightShape(INDArray w, INDArray pred) {
    long n = pred.size(0);
    if (perBox()) {
      if (w.rank() > 1) {
        if (!Arrays.equals(w.shape(), pred.shape())) {
          throw new IllegalArgumentException("weight must be [N] or, to be averaged over the last dim, pred's shape "
              + Tensors.shapeOf(pred) + "; got " + Tensors.shapeOf(w));
        }
      } else {
        WeightReduce.broadcast(w, new long[] {n}, "weight");
      }
    } else {
      WeightReduce.broadcast(w, pred.shape(), "weight");
    }
  }

  private static boolean noneAboveZero(double[] w) {
    for (double v : w) {
      if (v > 0) {
        return false;
      }
    }
    return true;
  }

  /** MMDetection's {@code return (pred * weight).sum()} for weights that are all {@code <= 0}. */
  private LossResult shortcut(LossArgs args, INDArray weight) {
    INDArray pred = args.pred();
    long n = pred.size(0);
    double[] p = Tensors.toDoubles(pred);
    double[] w;
    try {
      // MMDetection unsqueezes a weight of rank(pred) - 1 to [N,1] before multiplying.
      w = weight.rank() == pred.rank() - 1
          ? perRow(WeightReduce.broadcast(weight, new long[] {n}, "weight"))
          : WeightReduce.broadcast(weight, pred.shape(), "weight");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("weight must be [N] or broadcast to pred's shape " + Tensors.shapeOf(pred)
          + " for the early return (pred * weight).sum() taken when no weight is > 0; got " + Tensors.shapeOf(weight),
          e);
    }
    double up = 1.0;
    if (args.upstream().isPresent()) {
      double[] u = Tensors.toDoubles(args.upstream().get());
      if (u.length != 1) {
        throw new IllegalArgumentException(type() + " returns the scalar (pred * weight).sum() when no weight is > 0,"
            + " so upstream must be a scalar; got " + u.length + " elements");
      }
      up = u[0];
    }
    double sum = 0;
    double[] g = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      sum += p[i] * w[i];
      g[i] = up * w[i];
    }
    Reduction r = args.reductionOverride().orElse(reduction());
    return result(new double[] {sum}, new long[0], g, args, r);
  }

  private static double[] perRow(double[] w) {
    double[] out = new double[w.length * 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = w[i / 4];
    }
    return out;
  }
}
