package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Finite;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MMDetection's sigmoid {@code FocalLoss} (RetinaNet): per element
 * {@code BCE(x, t) * (alpha t + (1 - alpha)(1 - t)) * pt^gamma} with {@code p = sigmoid(x)} and
 * {@code pt = (1 - p) t + p (1 - t)}.
 *
 * <p>Shapes: {@code pred} is {@code [N,C]} logits (probabilities when {@code activated}); the target
 * is either {@code [N]} integer class ids in {@code [0, C]}, where {@code C} is the background and
 * gives an all-zero one-hot row, or a one-hot / soft float target of {@code pred}'s shape with values
 * in [0, 1]. The element-wise loss is {@code [N,C]}; {@code 'mean'} without {@code avg_factor}
 * divides by {@code N*C}. A weight of shape {@code [N]} (or {@code [N,1]}) weights rows, one of
 * {@code N*C} elements in any shape is viewed as {@code [N,C]} (MMDetection's FSAF case).
 *
 * <p>Config keys: {@code use_sigmoid} (must be True, as in MMDetection), {@code gamma} (2.0),
 * {@code alpha} (0.25), {@code reduction}, {@code loss_weight}, {@code activated} (False) and
 * detkit's {@code check_finite}. With {@code activated} the loss is MMDetection's
 * {@code py_focal_loss_with_prob}: torch's {@code binary_cross_entropy} on probabilities, logs
 * clamped at -100 and the backward's {@code p (1 - p)} floored at 1e-12, so p exactly 0 or 1 stays
 * finite. The gradient flows through the modulating factor {@code pt^gamma}, as in MMDetection's
 * Python path.
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when shapes, labels, probabilities
 * or the weight do not fit, naming the argument and both shapes or the bad value. Immutable and
 * thread-safe.
 */
public final class FocalLoss extends ParamLoss<FocalLoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, FocalLoss> TYPE =
      LossType.of(FocalLoss.class, Params.DEFAULTS, FocalLoss::new).sigmoidOnly();

  /**
   * FocalLoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param gamma the focusing exponent of {@code pt^gamma}, finite and {@code >= 0}
   * @param alpha the positives' balance weight, finite
   * @param activated whether {@code pred} holds probabilities rather than logits
   */
  @RecordBuilder
  public record Params(@NonNegative double gamma, @Finite double alpha, boolean activated)
      implements FocalLossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(2.0, 0.25, false);

    /** @throws IllegalArgumentException {@code "FocalLoss: gamma must be a finite number >= 0; got -1.0"} */
    public Params {
      ParamChecks.check(Params.class, gamma, alpha, activated);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public FocalLoss(LossOptions options, Params params) {
    super(options, params);
  }

  /**
   * The reduced loss with class-id targets (every dense head's call) runs fused in one pass
   * ({@link FusedFocal}); other calls, and any call whose fused sum is not finite (so that NaN and
   * infinity follow the general path's rules exactly), take the general pipeline.
   */
  @Override
  protected LossResult compute(LossArgs args, Reduction r) {
    INDArray pred = args.pred();
    INDArray target = args.target();
    boolean fusable = !params().activated() && r != Reduction.NONE && args.upstream().isEmpty() && pred.rank() == 2
        && target.rank() == 1 && target.size(0) == pred.size(0) && pred.length() > 0
        && (pred.dataType() == DataType.FLOAT || pred.dataType() == DataType.DOUBLE)
        && !(r == Reduction.SUM && args.avgFactorOrNull() != null);
    if (fusable) {
      LossResult fused = computeFused(args, r);
      if (fused != null) {
        return fused;
      }
    }
    return super.compute(args, r);
  }

  private LossResult computeFused(LossArgs args, Reduction r) {
    INDArray pred = args.pred();
    int n = (int) pred.size(0);
    int c = (int) pred.size(1);
    long[] labels = ClsMath.labels(args.target(), "FocalLoss: target", 0, c, Long.MIN_VALUE,
        "label " + c + " = num_classes is the background");
    double[] rowWeight = null;
    double[] elementWeight = null;
    if (args.weight().isPresent()) {
      INDArray w = args.weight().get();
      if (w.length() == n && w.rank() >= 1 && w.size(0) == n) {
        rowWeight = Tensors.toDoubles(w);
      } else {
        elementWeight = focalWeight(w, new long[] {n, c}, type());
      }
    }
    Double avgFactor = args.avgFactorOrNull();
    double divisor = r == Reduction.SUM ? 1.0 : avgFactor != null ? avgFactor + WeightReduce.AVG_FACTOR_EPS : (double) n * c;
    double scale = lossWeight() / divisor;
    boolean single = pred.dataType() == DataType.FLOAT;
    // Each element's gradient is at most |scale| * |weight| * max(alpha, 1 - alpha) * (1 + gamma)
    // (the modulating factor's own derivative adds at most gamma / e); where that bound could leave
    // the dtype the general path runs, whose narrowing pass names an overflow.
    double gamma = params().gamma();
    double alpha = params().alpha();
    double bound = Math.abs(scale) * Math.max(maxAbs(rowWeight), maxAbs(elementWeight))
        * Math.max(Math.abs(alpha), Math.abs(1 - alpha)) * (1 + gamma);
    if (!(bound <= (single ? Float.MAX_VALUE : Double.MAX_VALUE))) {
      return null;
    }
    INDArray out = args.gradInto().orElse(null);
    FusedFocal kernel = new FusedFocal(gamma, alpha);
    INDArray g;
    double sum;
    if (elementWeight == null && FusedFocal.denseRows(pred)) {
      // Scores read and gradient written block by block in place: no Java copies, no temporary.
      g = out != null ? out : Nd4j.createUninitialized(pred.dataType(), n, c);
      sum = kernel.runDense(pred, labels, n, c, rowWeight, scale, g);
    } else {
      Object x = single ? Tensors.toFloats(pred) : Tensors.toDoubles(pred);
      Object grad = single ? new float[n * c] : new double[n * c];
      sum = kernel.run(x, labels, n, c, rowWeight, elementWeight, scale, grad);
      g = out != null ? LossOutputs.put(grad, out) : single ? Tensors.create((float[]) grad, DataType.FLOAT, n, c)
          : Tensors.create((double[]) grad, DataType.DOUBLE, n, c);
    }
    double value = sum / divisor * lossWeight();
    if (!Double.isFinite(sum) || single && !Float.isFinite((float) value)) {
      if (g != out) {
        g.close();
      }
      return null;
    }
    return new LossResult(Tensors.create(new double[] {value}, pred.dataType()), g, r, out != null);
  }

  /** The largest magnitude of {@code w}, 1 for no weight. */
  private static double maxAbs(double[] w) {
    if (w == null) {
      return 1;
    }
    double m = 0;
    for (double v : w) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    boolean activated = params().activated();
    double alpha = params().alpha();
    double gamma = params().gamma();
    double[] x = ClsMath.scores(pred, type(), activated);
    int n = (int) pred.size(0);
    int c = (int) pred.size(1);
    double[] t = targetMatrix(args.target(), pred, n, c);
    ClsMath.Bce bce = ClsMath.Bce.of(x, t, activated);
    double[] loss = new double[x.length];
    double[] dLoss = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double ti = t[i];
      double aw = alpha * ti + (1 - alpha) * (1 - ti);
      // pt is the probability given to the wrong answer, so pt^gamma down-weights easy elements.
      double pt = bce.q()[i] * ti + bce.p()[i] * (1 - ti);
      double dPt = (1 - 2 * ti) * bce.dp()[i];
      ClsMath.modulate(bce.loss()[i] * aw, bce.grad()[i] * aw, 1.0, pt, gamma, dPt, loss, dLoss, i);
    }
    return Elementwise.diagonal(new long[] {n, c}, loss, dLoss);
  }

  /** The {@code [N,C]} target in [0, 1]: one-hot rows from class ids, or the float target as given. */
  private static double[] targetMatrix(INDArray target, INDArray pred, int n, int c) {
    if (target.rank() == pred.rank()) {
      Checks.sameShape(pred, target, TYPE.name() + ": target");
      double[] t = Tensors.toDoubles(target);
      ClsMath.requireRange(t, "FocalLoss: target", 0.0, 1.0, "one-hot or soft targets");
      return t;
    }
    if (target.rank() != 1 || target.size(0) != n) {
      throw new IllegalArgumentException("FocalLoss: target must be [N] class ids (N=" + n + ") or pred's shape "
          + Tensors.shapeOf(pred) + "; got " + Tensors.shapeOf(target));
    }
    long[] labels = ClsMath.labels(target, "FocalLoss: target", 0, c, Long.MIN_VALUE,
        "label " + c + " = num_classes is the background");
    return ClsMath.oneHot(labels, c, null);
  }

  /** MMDetection's focal weight rules: equal shape, row weights viewed as [N,1], N*C elements viewed as [N,C]. */
  @Override
  protected double[] weightFor(INDArray weight, long[] lossShape, LossArgs args) {
    return focalWeight(weight, lossShape, type());
  }

  static double[] focalWeight(INDArray weight, long[] lossShape, String type) {
    long n = lossShape[0];
    long c = lossShape[1];
    double[] w = Tensors.toDoubles(weight);
    if (Arrays.equals(weight.shape(), lossShape)) {
      return w;
    }
    if (weight.rank() >= 1 && weight.size(0) == n) {
      // MMDetection views such a weight as [N,1]: only one value per row fits.
      if (w.length == n) {
        return ClsMath.repeatRows(w, (int) c);
      }
    } else if (weight.rank() >= 1 && w.length == n * c) {
      return w;
    }
    throw new IllegalArgumentException(type + ": weight must be [N] (N=" + n + "), [N,1], " + ClsMath.shape(lossShape)
        + " or hold N*C=" + (n * c) + " elements; got " + Tensors.shapeOf(weight) + " for pred "
        + ClsMath.shape(lossShape));
  }

  @Override
  public String toString() {
    return describe("use_sigmoid=True, gamma=" + params().gamma() + ", alpha=" + params().alpha() + ", activated="
        + py(params().activated()));
  }
}
