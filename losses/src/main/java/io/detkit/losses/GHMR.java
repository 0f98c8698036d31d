package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code GHMR}, the gradient harmonized regression loss (GHM, AAAI 2019).
 *
 * <p>With {@code d = pred - target}, the element-wise loss is the authentic smooth L1
 * {@code sqrt(d^2 + mu^2) - mu}; each valid element ({@code label_weight > 0}) falls in one of
 * {@code bins} bins of its gradient norm {@code g = |d| / sqrt(d^2 + mu^2)} (edges {@code i/bins},
 * the last one 1e3) and is weighted by {@code tot / count(bin) / n}, where {@code tot =
 * max(sum(label_weight), 1)} (a sum of the values, not a count) and {@code n} is the number of
 * non-empty bins. The weights are constants of the backward pass, as MMDetection detaches them.
 * {@code mean} divides the weighted sum by {@code tot + eps}: MMDetection passes {@code tot} as
 * avg_factor and ignores the caller's {@code avg_factor}, and so does detkit. For the same reason
 * {@code sum} is rejected, as MMDetection rejects it.
 *
 * <p>Call: {@code forward(LossArgs.of(pred, target, labelWeight))}, MMDetection's positional
 * {@code (pred, target, label_weight)}; a head that passes its box weights as
 * {@link LossArgs#weight} (the positional third argument in MMDetection's heads) gets the same
 * result. Shapes: {@code pred}, {@code target} equal, typically {@code [N,4]}; {@code label_weight}
 * broadcasts to them without enlarging them.
 *
 * <p>State: with {@code momentum > 0} the instance keeps the running count of each bin
 * ({@code acc_sum}), updated by every call and read by the next; updates are synchronized on the
 * instance, so concurrent calls are safe but their order decides the result. Use one instance per
 * training run. With {@code momentum == 0} (the default) it is stateless and thread-safe.
 *
 * <p>Config: {@code dict(type='GHMR', mu=0.02, bins=10, momentum=0, loss_weight=1.0,
 * reduction='mean')}.
 *
 * @see #forward(LossArgs) for what a call throws
 */
public final class GHMR extends Loss {
  /** The registry name. */
  public static final String TYPE = "GHMR";

  private final double mu;
  private final int bins;
  private final double momentum;
  /** Bin edges as float32 values ({@code arange(bins + 1).float() / bins}), the last one 1e3. */
  private final double[] edges;
  /** Running bin counts; null when momentum is 0. Guarded by {@code this}. */
  private final double[] accSum;

  /**
   * Builds from an MMDetection config.
   *
   * @throws ConfigException if {@code mu} is negative, {@code bins < 1} or {@code momentum} is
   *     outside {@code [0, 1)}
   */
  public GHMR(Config c) {
    super(TYPE, c);
    this.mu = RegressionSupport.nonNegative(c, "mu", 0.02);
    this.bins = c.getInt("bins", 10);
    this.momentum = c.getDouble("momentum", 0.0);
    try {
      checkBins(bins);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf("bins"), e.getMessage());
    }
    try {
      checkMomentum(momentum);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf("momentum"), e.getMessage());
    }
    this.edges = edges(bins);
    this.accSum = momentum > 0 ? new double[bins] : null;
  }

  private GHMR(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.mu = RegressionSupport.nonNegative("mu", b.mu);
    this.bins = checkBins(b.bins);
    this.momentum = checkMomentum(b.momentum);
    this.edges = edges(bins);
    this.accSum = momentum > 0 ? new double[bins] : null;
  }

  private static int checkBins(int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1; got " + bins);
    }
    return bins;
  }

  private static double checkMomentum(double momentum) {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1); got " + momentum);
    }
    return momentum;
  }

  private static double[] edges(int bins) {
    double[] e = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      e[i] = (float) i / (float) bins;
    }
    e[bins] = 1e3;
    return e;
  }

  /** A builder with MMDetection's defaults ({@code mu=0.02, bins=10, momentum=0}). */
  public static Builder builder() {
    return new Builder();
  }

  public double mu() {
    return mu;
  }

  public int bins() {
    return bins;
  }

  public double momentum() {
    return momentum;
  }

  /** A copy of the running bin counts ({@code acc_sum}); all zeros before the first call, empty without momentum. */
  public double[] runningBinCounts() {
    if (accSum == null) {
      return new double[0];
    }
    synchronized (this) {
      return accSum.clone();
    }
  }

  /**
   * Runs GHM-R.
   *
   * @throws IllegalArgumentException if the reduction is {@code sum}; if there is no
   *     {@code label_weight} (as second target or weight) or there are two; if {@code target}'s
   *     shape differs from {@code pred}'s or {@code label_weight} does not broadcast to it
   */
  @Override
  protected LossResult compute(LossArgs args, Reduction r) {
    if (r == Reduction.SUM) {
      throw new IllegalArgumentException("GHMR does not support reduction='sum': MMDetection normalises by "
          + "tot = max(sum(label_weight), 1) through avg_factor, which 'sum' rejects");
    }
    INDArray labelWeight = labelWeight(args);
    Elementwise e = kernel(args);
    INDArray pred = args.pred();
    INDArray target = args.target(0);
    double[] valid = WeightReduce.broadcast(labelWeight, pred.shape(), "label_weight");
    double lwSum = 0;
    for (double v : Tensors.toDoubles(labelWeight)) {
      lwSum += v;
    }
    double tot = Math.max(lwSum, 1.0);

    boolean f32 = RegressionSupport.float32(pred, target);
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    int n = p.length;
    int[] bin = new int[n];
    int[] counts = new int[bins];
    double mu2 = mu * mu;
    for (int i = 0; i < n; i++) {
      bin[i] = valid[i] > 0 ? binOf(gradientNorm(p[i], t[i], mu2, f32)) : -1;
      if (bin[i] >= 0) {
        counts[bin[i]]++;
      }
    }
    double[] binWeight = binWeights(counts, tot);
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      weights[i] = bin[i] >= 0 ? binWeight[bin[i]] : 0.0;
    }
    return finish(args, e, weights, r, r == Reduction.MEAN ? tot : null);
  }

  /** The authentic smooth L1 {@code sqrt(d^2 + mu^2) - mu} and its derivative {@code d / sqrt(d^2 + mu^2)}. */
  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray target = args.target(0);
    if (!Arrays.equals(target.shape(), pred.shape())) {
      throw new IllegalArgumentException("target must have pred's shape " + Tensors.shapeOf(pred) + "; got "
          + Tensors.shapeOf(target));
    }
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    double[] values = new double[p.length];
    double[] deriv = new double[p.length];
    double mu2 = mu * mu;
    for (int i = 0; i < p.length; i++) {
      double d = p[i] - t[i];
      double root = Math.sqrt(d * d + mu2);
      values[i] = root - mu;
      // With mu == 0 the loss is |d|; its subgradient at d == 0 is 0 (PyTorch gives NaN there).
      deriv[i] = root == 0 ? 0.0 : d / root;
    }
    return RegressionSupport.diagonal(pred.shape(), values, deriv);
  }

  private static INDArray labelWeight(LossArgs args) {
    if (args.targetCount() > 2) {
      throw new IllegalArgumentException("GHMR takes (pred, target, label_weight); got " + args.targetCount()
          + " targets");
    }
    if (args.targetCount() == 2) {
      if (args.weight().isPresent()) {
        throw new IllegalArgumentException("GHMR got label_weight twice: as the second target and as weight");
      }
      return args.target(1);
    }
    return args.weight().orElseThrow(() -> new IllegalArgumentException(
        "GHMR needs label_weight: pass LossArgs.of(pred, target, labelWeight) or .weight(labelWeight)"));
  }

  /** {@code |d| / sqrt(mu^2 + d^2)}, in float32 when the inputs are, so bin membership matches. */
  private static double gradientNorm(double p, double t, double mu2, boolean f32) {
    if (f32) {
      float d = (float) p - (float) t;
      float root = (float) Math.sqrt((float) mu2 + d * d);
      return Math.abs(d / root);
    }
    double d = p - t;
    return Math.abs(d / Math.sqrt(mu2 + d * d));
  }

  /** The bin of {@code g}, or -1 (NaN, which MMDetection's comparisons also leave out). */
  private int binOf(double g) {
    for (int i = 0; i < bins; i++) {
      if (g >= edges[i] && g < edges[i + 1]) {
        return i;
      }
    }
    return -1;
  }

  private double[] binWeights(int[] counts, double tot) {
    double[] w = new double[bins];
    int nonEmpty = 0;
    if (accSum == null) {
      for (int i = 0; i < bins; i++) {
        if (counts[i] > 0) {
          nonEmpty++;
          w[i] = tot / counts[i];
        }
      }
    } else {
      synchronized (this) {
        for (int i = 0; i < bins; i++) {
          if (counts[i] > 0) {
            nonEmpty++;
            accSum[i] = momentum * accSum[i] + (1 - momentum) * counts[i];
            w[i] = tot / accSum[i];
          }
        }
      }
    }
    if (nonEmpty > 0) {
      for (int i = 0; i < bins; i++) {
        w[i] /= nonEmpty;
      }
    }
    return w;
  }

  @Override
  public String toString() {
    return TYPE + "(mu=" + mu + ", bins=" + bins + ", momentum=" + momentum + ", reduction='" + reduction().key()
        + "', loss_weight=" + lossWeight() + ")";
  }

  /** Builds a {@link GHMR}; {@link #build()} requires {@code mu >= 0}, {@code bins >= 1}, {@code 0 <= momentum < 1}. */
  public static final class Builder extends RegressionLossBuilder<Builder, GHMR> {
    private double mu = 0.02;
    private int bins = 10;
    private double momentum = 0.0;

    private Builder() {}

    public Builder mu(double mu) {
      this.mu = mu;
      return this;
    }

    public Builder bins(int bins) {
      this.bins = bins;
      return this;
    }

    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    @Override
    public GHMR build() {
      return new GHMR(this);
    }
  }
}
