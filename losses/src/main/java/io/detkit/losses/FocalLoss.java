package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

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
public final class FocalLoss extends Loss {
  public static final String TYPE = "FocalLoss";

  private final double gamma;
  private final double alpha;
  private final boolean activated;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException on a bad value */
  public FocalLoss(Config c) {
    super(TYPE, c);
    requireSigmoid(c.getBoolean("use_sigmoid", true));
    this.gamma = checkGamma(c.getDouble("gamma", 2.0));
    this.alpha = checkAlpha(c.getDouble("alpha", 0.25));
    this.activated = c.getBoolean("activated", false);
  }

  private FocalLoss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.gamma = checkGamma(b.gamma);
    this.alpha = checkAlpha(b.alpha);
    this.activated = b.activated;
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requireSigmoid(boolean useSigmoid) {
    if (!useSigmoid) {
      throw new IllegalArgumentException("FocalLoss: use_sigmoid must be True (only the sigmoid focal loss exists,"
          + " as in MMDetection); got False");
    }
  }

  private static double checkGamma(double gamma) {
    if (!(gamma >= 0) || Double.isInfinite(gamma)) {
      throw new IllegalArgumentException("FocalLoss: gamma must be a finite number >= 0; got " + gamma);
    }
    return gamma;
  }

  private static double checkAlpha(double alpha) {
    if (!Double.isFinite(alpha)) {
      throw new IllegalArgumentException("FocalLoss: alpha must be finite; got " + alpha);
    }
    return alpha;
  }

  public double gamma() {
    return gamma;
  }

  public double alpha() {
    return alpha;
  }

  public boolean activated() {
    return activated;
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    ClsMath.requirePred2d(pred, TYPE);
    int n = (int) pred.size(0);
    int c = (int) pred.size(1);
    double[] x = Tensors.toDoubles(pred);
    if (activated) {
      ClsMath.requireRange(x, "FocalLoss (activated=True): pred", 0.0, 1.0, "probabilities");
    }
    double[] t = targetMatrix(args.target(), pred, n, c);
    double[] loss = new double[x.length];
    double[] dLoss = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double ti = t[i];
      double aw = alpha * ti + (1 - alpha) * (1 - ti);
      double pt;
      double bce;
      double dBce;
      double dPt;
      if (activated) {
        double p = x[i];
        pt = (1 - p) * ti + p * (1 - ti);
        bce = ClsMath.bceProb(p, ti);
        dBce = ClsMath.bceProbGrad(p, ti);
        dPt = 1 - 2 * ti;
      } else {
        double s = ClsMath.sigmoid(x[i]);
        double sm = ClsMath.sigmoid(-x[i]);
        // pt from both tails so that 1 - p does not cancel to 0 for large logits.
        pt = sm * ti + s * (1 - ti);
        bce = ClsMath.bceWithLogits(x[i], ti);
        dBce = s - ti;
        dPt = (1 - 2 * ti) * s * sm;
      }
      double mod = ClsMath.pow(pt, gamma);
      loss[i] = bce * aw * mod;
      dLoss[i] = dBce * aw * mod + ClsMath.scaledPowGrad(bce * aw, pt, gamma, dPt);
    }
    return new Elementwise(new long[] {n, c}, loss, up -> {
      double[] g = new double[up.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = up[i] * dLoss[i];
      }
      return g;
    });
  }

  /** The {@code [N,C]} target in [0, 1]: one-hot rows from class ids, or the float target as given. */
  private static double[] targetMatrix(INDArray target, INDArray pred, int n, int c) {
    if (target.rank() == pred.rank()) {
      ClsMath.requireSameShape(pred, target, "target", TYPE);
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
    double[] t = new double[n * c];
    for (int i = 0; i < n; i++) {
      if (labels[i] < c) {
        t[i * c + (int) labels[i]] = 1.0;
      }
    }
    return t;
  }

  /** MMDetection's focal weight rules: equal shape, row weights viewed as [N,1], N*C elements viewed as [N,C]. */
  @Override
  protected double[] weightFor(INDArray weight, long[] lossShape, LossArgs args) {
    return focalWeight(weight, lossShape, TYPE);
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
        double[] out = new double[(int) (n * c)];
        for (int i = 0; i < n; i++) {
          Arrays.fill(out, (int) (i * c), (int) ((i + 1) * c), w[i]);
        }
        return out;
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
    return "FocalLoss(use_sigmoid=True, gamma=" + gamma + ", alpha=" + alpha + ", activated="
        + (activated ? "True" : "False") + ", reduction='" + reduction().key() + "', loss_weight=" + lossWeight() + ")";
  }

  /** Java-side construction with MMDetection's defaults. */
  public static final class Builder {
    private double gamma = 2.0;
    private double alpha = 0.25;
    private boolean activated;
    private Reduction reduction = Reduction.MEAN;
    private double lossWeight = 1.0;
    private boolean checkFinite;

    private Builder() {}

    public Builder gamma(double gamma) {
      this.gamma = gamma;
      return this;
    }

    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder activated(boolean activated) {
      this.activated = activated;
      return this;
    }

    public Builder reduction(Reduction reduction) {
      this.reduction = reduction;
      return this;
    }

    public Builder lossWeight(double lossWeight) {
      this.lossWeight = lossWeight;
      return this;
    }

    public Builder checkFinite(boolean checkFinite) {
      this.checkFinite = checkFinite;
      return this;
    }

    /** @throws IllegalArgumentException for a negative gamma or non-finite alpha / loss_weight */
    public FocalLoss build() {
      return new FocalLoss(this);
    }
  }
}
