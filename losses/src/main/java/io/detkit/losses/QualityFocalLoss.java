package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code QualityFocalLoss} (Generalized Focal Loss): per element
 * {@code BCE(x, y) * |y - sigma|^beta}, summed over classes, where {@code y} is the quality score
 * (IoU) at the sample's class and 0 elsewhere and {@code sigma = sigmoid(x)} (or {@code x} itself when
 * {@code activated}). The modulating factor is part of the gradient, as in MMDetection.
 *
 * <p>Call: {@code forward(LossArgs.of(pred, labels, scores))}, MMDetection's tuple target: {@code pred}
 * {@code [N,C]}, {@code labels} {@code [N]} integer ids in {@code [0, C]} (C is the background: no
 * positive), {@code scores} {@code [N]}. Or one dense soft target of {@code pred}'s shape (MMDetection
 * 3.x's tensor-target form; every non-zero entry is a positive with that score), which is what the
 * DL4J adapter uses. The loss is {@code [N]}, so {@code 'mean'} divides by N and the weight
 * broadcasts against {@code [N]}.
 *
 * <p>Config keys: {@code use_sigmoid} (must be True), {@code beta} (2.0), {@code activated} (False;
 * True: {@code pred} are probabilities and torch's clamped {@code binary_cross_entropy} is used),
 * {@code reduction}, {@code loss_weight}, detkit's {@code check_finite}. Immutable and thread-safe.
 */
public final class QualityFocalLoss extends Loss {
  public static final String TYPE = "QualityFocalLoss";

  private final double beta;
  private final boolean activated;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException on a bad value */
  public QualityFocalLoss(Config c) {
    super(TYPE, c);
    requireSigmoid(c.getBoolean("use_sigmoid", true));
    this.beta = checkBeta(c.getDouble("beta", 2.0));
    this.activated = c.getBoolean("activated", false);
  }

  private QualityFocalLoss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.beta = checkBeta(b.beta);
    this.activated = b.activated;
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requireSigmoid(boolean useSigmoid) {
    if (!useSigmoid) {
      throw new IllegalArgumentException("QualityFocalLoss: use_sigmoid must be True (only the sigmoid form exists,"
          + " as in MMDetection); got False");
    }
  }

  private static double checkBeta(double beta) {
    if (!(beta >= 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("QualityFocalLoss: beta must be a finite number >= 0; got " + beta);
    }
    return beta;
  }

  public double beta() {
    return beta;
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
      ClsMath.requireRange(x, "QualityFocalLoss (activated=True): pred", 0.0, 1.0, "probabilities");
    }
    double[] y = targets(args, pred, n, c);
    double[] loss = new double[n];
    double[] dLoss = new double[n * c];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < c; j++) {
        int k = i * c + j;
        double sig;
        double bce;
        double dBce;
        double dSig;
        if (activated) {
          sig = x[k];
          bce = ClsMath.bceProb(sig, y[k]);
          dBce = ClsMath.bceProbGrad(sig, y[k]);
          dSig = 1.0;
        } else {
          sig = ClsMath.sigmoid(x[k]);
          bce = ClsMath.bceWithLogits(x[k], y[k]);
          dBce = sig - y[k];
          dSig = sig * ClsMath.sigmoid(-x[k]);
        }
        double diff = sig - y[k];
        double ad = Math.abs(diff);
        double mod = ClsMath.pow(ad, beta);
        sum += bce * mod;
        dLoss[k] = dBce * mod + ClsMath.scaledPowGrad(bce, ad, beta, Math.signum(diff) * dSig);
      }
      loss[i] = sum;
    }
    return new Elementwise(new long[] {n}, loss, up -> {
      double[] g = new double[n * c];
      for (int k = 0; k < g.length; k++) {
        g[k] = up[k / c] * dLoss[k];
      }
      return g;
    });
  }

  /** The dense {@code [N,C]} score target from (labels, scores) or a single dense target. */
  private static double[] targets(LossArgs args, INDArray pred, int n, int c) {
    if (args.targetCount() == 1) {
      INDArray t = args.target();
      ClsMath.requireSameShape(pred, t, "target", TYPE + " (dense soft target)");
      double[] y = Tensors.toDoubles(t);
      ClsMath.requireRange(y, "QualityFocalLoss: target", 0.0, 1.0, "quality scores");
      return y;
    }
    if (args.targetCount() != 2) {
      throw new IllegalArgumentException("QualityFocalLoss takes (labels, scores) or one dense target of pred's shape;"
          + " got " + args.targetCount() + " targets");
    }
    INDArray labels = args.target(0);
    INDArray scores = args.target(1);
    if (labels.rank() != 1 || labels.size(0) != n) {
      throw new IllegalArgumentException("QualityFocalLoss: labels (target[0]) must be [N] (N=" + n + " for pred "
          + Tensors.shapeOf(pred) + "); got " + Tensors.shapeOf(labels));
    }
    if (scores.rank() != 1 || scores.size(0) != n) {
      throw new IllegalArgumentException("QualityFocalLoss: scores (target[1]) must be [N] (N=" + n + " for pred "
          + Tensors.shapeOf(pred) + "); got " + Tensors.shapeOf(scores));
    }
    long[] l = ClsMath.labels(labels, "QualityFocalLoss: labels", 0, c, Long.MIN_VALUE,
        "label " + c + " = num_classes is the background");
    double[] s = Tensors.toDoubles(scores);
    ClsMath.requireFinite(s, "QualityFocalLoss: scores");
    double[] y = new double[n * c];
    for (int i = 0; i < n; i++) {
      if (l[i] < c) {
        y[i * c + (int) l[i]] = s[i];
      }
    }
    return y;
  }

  @Override
  public String toString() {
    return "QualityFocalLoss(use_sigmoid=True, beta=" + beta + ", activated=" + (activated ? "True" : "False")
        + ", reduction='" + reduction().key() + "', loss_weight=" + lossWeight() + ")";
  }

  /** Java-side construction with MMDetection's defaults. */
  public static final class Builder {
    private double beta = 2.0;
    private boolean activated;
    private Reduction reduction = Reduction.MEAN;
    private double lossWeight = 1.0;
    private boolean checkFinite;

    private Builder() {}

    public Builder beta(double beta) {
      this.beta = beta;
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

    /** @throws IllegalArgumentException for a negative beta or non-finite loss_weight */
    public QualityFocalLoss build() {
      return new QualityFocalLoss(this);
    }
  }
}
