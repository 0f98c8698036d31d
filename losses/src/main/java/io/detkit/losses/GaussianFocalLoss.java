package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code GaussianFocalLoss} (CornerNet / CenterNet heatmaps): with probabilities
 * {@code p} and a Gaussian heatmap target {@code t}, per element
 * {@code -log(p + eps) (1 - p)^alpha [t == 1] - log(1 - p + eps) p^alpha (1 - t)^gamma}, eps = 1e-12.
 * Only elements where the target is exactly 1 are positives.
 *
 * <p>Shapes: {@code pred} (probabilities in [0, 1]) and {@code target} (in [0, 1]) share any shape,
 * which the loss keeps; {@code 'mean'} divides by the element count and the weight broadcasts
 * against it. p exactly 0 or 1 stays finite thanks to eps; with {@code alpha < 1} the derivative of
 * {@code (1 - p)^alpha} at p = 1 (and of {@code p^alpha} at p = 0) is infinite, as it is in
 * MMDetection.
 *
 * <p>Config keys: {@code alpha} (2.0), {@code gamma} (4.0), {@code reduction}, {@code loss_weight},
 * detkit's {@code check_finite}. Immutable and thread-safe.
 */
public final class GaussianFocalLoss extends Loss {
  public static final String TYPE = "GaussianFocalLoss";
  private static final double EPS = 1e-12;

  private final double alpha;
  private final double gamma;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException on a bad value */
  public GaussianFocalLoss(Config c) {
    super(TYPE, c);
    this.alpha = check("alpha", c.getDouble("alpha", 2.0));
    this.gamma = check("gamma", c.getDouble("gamma", 4.0));
  }

  private GaussianFocalLoss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.alpha = check("alpha", b.alpha);
    this.gamma = check("gamma", b.gamma);
  }

  public static Builder builder() {
    return new Builder();
  }

  private static double check(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("GaussianFocalLoss: " + name + " must be a finite number >= 0; got " + v);
    }
    return v;
  }

  public double alpha() {
    return alpha;
  }

  public double gamma() {
    return gamma;
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray target = args.target();
    ClsMath.requireSameShape(pred, target, "target", TYPE);
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    ClsMath.requireRange(p, "GaussianFocalLoss: pred", 0.0, 1.0, "probabilities");
    ClsMath.requireRange(t, "GaussianFocalLoss: target", 0.0, 1.0, "heatmap values");
    double[] loss = new double[p.length];
    double[] dLoss = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      double pi = p[i];
      double posW = t[i] == 1.0 ? 1.0 : 0.0;
      double negW = ClsMath.pow(1 - t[i], gamma);
      double logP = Math.log(pi + EPS);
      double logQ = Math.log(1 - pi + EPS);
      double q = 1 - pi;
      double pos = 0;
      double dPos = 0;
      if (posW != 0) {
        double qa = ClsMath.pow(q, alpha);
        pos = -logP * qa;
        dPos = -qa / (pi + EPS) + ClsMath.scaledPowGrad(-logP, q, alpha, -1.0);
      }
      double neg = 0;
      double dNeg = 0;
      if (negW != 0) {
        double pa = ClsMath.pow(pi, alpha);
        neg = -logQ * pa * negW;
        dNeg = (pa / (1 - pi + EPS) + ClsMath.scaledPowGrad(-logQ, pi, alpha, 1.0)) * negW;
      }
      loss[i] = pos + neg;
      dLoss[i] = dPos + dNeg;
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
    return "GaussianFocalLoss(alpha=" + alpha + ", gamma=" + gamma + ", reduction='" + reduction().key()
        + "', loss_weight=" + lossWeight() + ")";
  }

  /** Java-side construction with MMDetection's defaults. */
  public static final class Builder {
    private double alpha = 2.0;
    private double gamma = 4.0;
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
    public GaussianFocalLoss build() {
      return new GaussianFocalLoss(this);
    }
  }
}
