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
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when the target's shape differs from
 * {@code pred}'s, a target is not finite or outside [0, 1], or the weight does not broadcast.
 */
public final class VarifocalLoss extends Loss {
  /** The registry name. */
  public static final String TYPE = "VarifocalLoss";

  private final double alpha;
  private final double gamma;
  private final boolean iouWeighted;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException on a bad value */
  public VarifocalLoss(Config c) {
    super(TYPE, c);
    Checks.requireSigmoid(TYPE, c.getBoolean("use_sigmoid", true), "only the sigmoid form exists, as in MMDetection");
    this.alpha = Checks.nonNegative(TYPE + ": alpha", c.getDouble("alpha", 0.75));
    this.gamma = Checks.nonNegative(TYPE + ": gamma", c.getDouble("gamma", 2.0));
    this.iouWeighted = c.getBoolean("iou_weighted", true);
  }

  private VarifocalLoss(Builder b) {
    super(TYPE, b);
    this.alpha = Checks.nonNegative(TYPE + ": alpha", b.alpha);
    this.gamma = Checks.nonNegative(TYPE + ": gamma", b.gamma);
    this.iouWeighted = b.iouWeighted;
  }

  /** A builder with MMDetection's defaults ({@code alpha=0.75, gamma=2.0, iou_weighted=True}). */
  public static Builder builder() {
    return new Builder();
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
    Checks.sameShape(pred, target, TYPE + ": target");
    double[] x = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    Tensors.requireFinite(t, "VarifocalLoss: target");
    // IoU-aware targets: outside [0, 1] the positive weight and the BCE target make no sense (a
    // target of 3 gives a negative loss), as FocalLoss checks its soft targets.
    ClsMath.requireRange(t, "VarifocalLoss: target", 0.0, 1.0, "IoU-aware scores");
    ClsMath.Bce bce = ClsMath.Bce.of(x, t, false);
    double[] loss = new double[x.length];
    double[] dLoss = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      if (t[i] > 0) {
        // Positives are weighted by their target IoU and not modulated.
        double w = iouWeighted ? t[i] : 1.0;
        loss[i] = bce.loss()[i] * w;
        dLoss[i] = bce.grad()[i] * w;
      } else {
        bce.modulateByDistance(i, t[i], alpha, gamma, loss, dLoss);
      }
    }
    return Elementwise.diagonal(pred.shape(), loss, dLoss);
  }

  @Override
  public String toString() {
    return describe("use_sigmoid=True, alpha=" + alpha + ", gamma=" + gamma + ", iou_weighted=" + py(iouWeighted));
  }

  /**
   * Builds a {@link VarifocalLoss} with MMDetection's defaults ({@code alpha=0.75, gamma=2.0,
   * iou_weighted=True}); {@link #build()} throws {@link IllegalArgumentException} for a negative or
   * infinite alpha or gamma, or a non-finite lossWeight.
   */
  public static final class Builder extends LossBuilder<Builder, VarifocalLoss> {
    private double alpha = 0.75;
    private double gamma = 2.0;
    private boolean iouWeighted = true;

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

    @Override
    public VarifocalLoss build() {
      return new VarifocalLoss(this);
    }
  }
}
