package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.BinCount;
import io.detkit.core.config.ParamChecks.Fraction;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
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
 * <p>{@link #forward} throws {@link IllegalArgumentException} when the reduction is {@code sum},
 * {@code label_weight} is missing or given twice, the target's shape differs from {@code pred}'s,
 * or {@code label_weight} does not broadcast to it.
 */
public final class GHMR extends ParamLoss<GHMR.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, GHMR> TYPE = LossType.of(GHMR.class, Params.DEFAULTS, GHMR::new);

  private final GhmBins histogram;

  /**
   * GHMR's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param mu the smoothing of the authentic smooth L1, finite and {@code >= 0}
   * @param bins the number of gradient-norm bins, in [1, {@code Limits.MAX_BINS}]
   * @param momentum the running counts' momentum, in [0, 1) (0: no running counts)
   */
  @RecordBuilder
  public record Params(@NonNegative double mu, @BinCount int bins, @Fraction double momentum)
      implements GHMRParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(0.02, 10, 0.0);

    /** @throws IllegalArgumentException {@code "bins must be in [1, 1024] (Limits.MAX_BINS); got 0"} */
    public Params {
      ParamChecks.check(Params.class, mu, bins, momentum);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public GHMR(LossOptions options, Params params) {
    super(options, params);
    // MMDetection's last edge is 1e3: every finite gradient norm (at most 1) lands in a bin.
    this.histogram = new GhmBins(params.bins(), params.momentum(), 1e3, false);
  }

  public double mu() {
    return params().mu();
  }

  public int bins() {
    return histogram.bins();
  }

  public double momentum() {
    return histogram.momentum();
  }

  /** A copy of the running bin counts ({@code acc_sum}); all zeros before the first call, empty without momentum. */
  public double[] runningBinCounts() {
    return histogram.momentum() > 0 ? histogram.runningCounts() : new double[0];
  }

  /**
   * Runs GHM-R.
   *
   * @throws IllegalArgumentException if the reduction is {@code sum}; if there is no
   *     {@code label_weight} (as second target or weight) or there are two; if {@code target}'s
   *     shape differs from {@code pred}'s, {@code label_weight} does not broadcast to it or holds a
   *     NaN or infinite value
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
    // A NaN label weight would silently drop its element from the valid set (NaN > 0 is false).
    Tensors.requireFinite(valid, "GHMR: label_weight");
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
    int[] counts = new int[histogram.bins()];
    double mu = mu();
    double mu2 = mu * mu;
    for (int i = 0; i < n; i++) {
      bin[i] = valid[i] > 0 ? histogram.binOf(gradientNorm(p[i], t[i], mu2, f32)) : -1;
      if (bin[i] >= 0) {
        counts[bin[i]]++;
      }
    }
    double[] binWeight = histogram.weights(counts, tot);
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
    INDArray target = Checks.sameShape(pred, args.target(0), "target");
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    double[] values = new double[p.length];
    double[] deriv = new double[p.length];
    double mu = mu();
    double mu2 = mu * mu;
    for (int i = 0; i < p.length; i++) {
      double d = p[i] - t[i];
      double root = Math.sqrt(d * d + mu2);
      values[i] = root - mu;
      // With mu == 0 the loss is |d|; its subgradient at d == 0 is 0 (PyTorch gives NaN there).
      deriv[i] = root == 0 ? 0.0 : d / root;
    }
    return Elementwise.diagonalZeroSafe(pred.shape(), values, deriv);
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

  @Override
  public String toString() {
    return describe("mu=" + mu() + ", bins=" + bins() + ", momentum=" + momentum());
  }
}
