package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code VarifocalLoss} (VarifocalNet): per element {@code BCE(x, t) * w} with
 * {@code w = t} (or 1 without {@code iou_weighted}) where {@code t > 0} and
 * {@code w = alpha * |sigmoid(x) - t|^gamma} where {@code t <= 0}. The focal weight is part of the
 * gradient, as in MMDetection.
 *
 * <p>Shapes: {@code pred} logits and {@code target} IoU-aware scores of the same shape (usually
 * {@code [N,C]}); the loss has that shape, {@code 'mean'} divides by its element count and the
 * weight broadcasts against it with PyTorch's rules.
 *
 * <p>Config keys: {@code use_sigmoid} (must be True), {@code alpha} (0.75, must be &gt;= 0),
 * {@code gamma} (2.0), {@code iou_weighted} (True), {@code reduction}, {@code loss_weight}, detkit's
 * {@code check_finite}. Immutable and thread-safe.
 */
public final class VarifocalLoss extends Loss {
  public static final String TYPE = "VarifocalLoss";

  private final double alpha;
  private final double gamma;
  private final boolean iouWeighted;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException on a bad value */
  public VarifocalLoss(Config c) {
    super(TYPE, c);
    if (!c.getBoolean("use_sigmoid", true)) {
      throw new IllegalArgumentException("VarifocalLoss: use_sigmoid must be True (only the sigmoid form exists, as in"
          + " MMDetection); got False");
    }
    this.alpha = checkAlpha(c.getDouble("alpha", 0.75));
    this.gamma = checkGamma(c.getDouble("gamma", 2.0));
    this.iouWeighted = c.getBoolean("iou_weighted", true);
  }

  private VarifocalLoss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.alpha = checkAlpha(b.alpha);
    this.gamma = checkGamma(b.gamma);
    this.iouWeighted = b.iouWeighted;
  }

  public static Builder builder() {
    return new Builder();
  }

  private static double checkAlpha(double alpha) {
    if (!(alpha >= 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("VarifocalLoss: alpha must be a finite number >= 0; got " + alpha);
    }
    return alpha;
  }

  private static double checkGamma(double gamma) {
    if (!(gamma >= 0) || Double.isInfinite(gamma)) {
      throw new IllegalArgumentException("VarifocalLoss: gamma must be a finite number >= 0; got " + gamma);
    }
    return gamma;
  }

  public double alpha() {
    return alpha;
  }

  public double gamma() {
    return gamma;
  }

  public boolean iouWeighted() {
    return iouWeighted;
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray target = args.target();
    ClsMath.requireSameShape(pred, target, "target", TYPE);
    double[] x = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    ClsMath.requireFinite(t, "VarifocalLoss: target");
    double[] loss = new double[x.length];
    double[] dLoss = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = ClsMath.sigmoid(x[i]);
      double bce = ClsMath.bceWithLogits(x[i], t[i]);
      double dBce = s - t[i];
      if (t[i] > 0) {
        double w = iouWeighted ? t[i] : 1.0;
        loss[i] = bce * w;
        dLoss[i] = dBce * w;
      } else {
        double diff = s - t[i];
        double ad = Math.abs(diff);
        double w = alpha * ClsMath.pow(ad, gamma);
        loss[i] = bce * w;
        double dSig = s * ClsMath.sigmoid(-x[i]);
        dLoss[i] = dBce * w + ClsMath.scaledPowGrad(bce * alpha, ad, gamma, Math.signum(diff) * dSig);
      }
    }
    return new Elementwise(pred.shape(), loss, up -> {
      double[] g = new double[up.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = up[i] * dLoss[i];
      }
      return g;
    });
  }

  @Override
  public String toString() {
    return "VarifocalLoss(use_sigmoid=True, alpha=" + alpha + ", gamma=" + gamma + ", iou_weighted="
        + (iouWeighted ? "True" : "False") + ", reduction='" + reduction().key() + "', loss_weight=" + lossWeight()
        + ")";
  }

  /** Java-side construction with MMDetection's defaults. */
  public static final class Builder {
    private double alpha = 0.75;
    private double gamma = 2.0;
    private boolean iouWeighted = true;
    private Reduction reduction = Reduction.MEAN;
    private double lossWeight = 1.0;
    private boolean checkFinite;

    private Builder() {}

    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder gamma(double gamma) {
      this.gamma = gamma;
      return this;
    }

    public Builder iouWeighted(boolean iouWeighted) {
      this.iouWeighted = iouWeighted;
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

    /** @throws IllegalArgumentException for a negative alpha or gamma */
    public VarifocalLoss build() {
      return new VarifocalLoss(this);
    }
  }
}
