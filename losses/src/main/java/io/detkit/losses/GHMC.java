package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.BinCount;
import io.detkit.core.config.ParamChecks.Fraction;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code GHMC}, the gradient harmonizing mechanism for classification: BCE with
 * logits, each element weighted by the inverse density of its gradient norm
 * {@code g = |sigmoid(x) - t|} over {@code bins} equal bins of [0, 1].
 *
 * <p>Call: {@code forward(LossArgs.of(pred, target, labelWeight))}, MMDetection's
 * {@code forward(pred, target, label_weight)}. Either {@code pred} is {@code [N,C]} logits with
 * {@code [N]} integer class ids in {@code [0, C]} (C, the background, gives a zero one-hot row) and
 * an {@code [N]} label weight repeated over the classes; or {@code target} is a float target of
 * {@code pred}'s shape and {@code label_weight} broadcasts to it. Elements with
 * {@code label_weight > 0} are valid (a NaN or infinite label weight is rejected with an
 * {@link IllegalArgumentException}); the label weight's magnitude is not used otherwise. The loss
 * has {@code pred}'s shape.
 *
 * <p>Weights: {@code tot = max(#valid, 1)}; each non-empty bin's valid elements get
 * {@code tot / count} (with {@code momentum > 0}: {@code tot / acc}, {@code acc = momentum * acc +
 * (1 - momentum) * count}), all divided by the number of non-empty bins. The bin edges are
 * float32 as in MMDetection ({@code i / bins}, the last raised by 1e-6). The weights are constants
 * for the gradient, and the reduction always uses {@code avg_factor = tot}: {@code 'sum'} is
 * therefore rejected, as MMDetection raises for it; the call takes no weight and no avg_factor of
 * its own (MMDetection silently swallows them; detkit rejects them).
 *
 * <p><b>State:</b> with {@code momentum > 0} an instance keeps the running per-bin counts
 * {@code acc}, starting at 0, and every call updates them (MMDetection's {@code acc_sum} buffer):
 * results depend on the calls made before, so use one instance per head and a fresh one to start
 * over. Updates are synchronized, so concurrent calls are safe and serialised on the statistics
 * (their order decides the result). With {@code momentum = 0} there is no state.
 *
 * <p>Config keys: {@code bins} (10), {@code momentum} (0), {@code use_sigmoid} (True; False is
 * rejected as MMDetection raises NotImplementedError), {@code loss_weight}, {@code reduction},
 * detkit's {@code check_finite}.
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when the call is not
 * {@code (pred, target, label_weight)}, the target or label weight does not fit {@code pred} as
 * described above, a weight or avg_factor is passed, or the reduction is {@code 'sum'}.
 */
public final class GHMC extends ParamLoss<GHMC.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, GHMC> TYPE = LossType.of(GHMC.class, Params.DEFAULTS, GHMC::new).sigmoidOnly();

  private final GhmBins histogram;

  /**
   * GHMC's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param bins the number of gradient-norm bins, in [1, {@code Limits.MAX_BINS}]
   * @param momentum the running counts' momentum, in [0, 1) (0: no running counts)
   */
  @RecordBuilder
  public record Params(@BinCount int bins, @Fraction double momentum) implements GHMCParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(10, 0.0);

    /** @throws IllegalArgumentException {@code "GHMC: bins must be in [1, 1024] (Limits.MAX_BINS); got 0"} */
    public Params {
      ParamChecks.check(Params.class, bins, momentum);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public GHMC(LossOptions options, Params params) {
    super(options, params);
    // MMDetection raises the last float32 edge by 1e-6 so that g = 1 falls in the last bin.
    this.histogram = new GhmBins(params.bins(), params.momentum(), 1.0f + 1e-6f, true);
  }

  public int bins() {
    return histogram.bins();
  }

  public double momentum() {
    return histogram.momentum();
  }

  /** A snapshot of the running per-bin counts (all 0 without momentum or before the first call). */
  public double[] runningCounts() {
    return histogram.runningCounts();
  }

  @Override
  protected LossResult compute(LossArgs args, Reduction r) {
    if (args.weight().isPresent() || args.avgFactor().isPresent()) {
      throw new IllegalArgumentException("GHMC takes no weight or avg_factor: pass label_weight as the third input"
          + " (LossArgs.of(pred, target, labelWeight)); it normalises by the number of valid elements itself; got"
          + (args.weight().isPresent() ? " weight " + Tensors.shapeOf(args.weight().get()) : "")
          + (args.avgFactor().isPresent() ? " avg_factor=" + args.avgFactor().getAsDouble() : ""));
    }
    if (r == Reduction.SUM) {
      throw new IllegalArgumentException("GHMC: reduction='sum' is not supported: GHMC always reduces with its own"
          + " avg_factor (the number of valid elements), which MMDetection rejects with 'sum'");
    }
    Prepared p = prepare(args);
    double[] w = new double[p.x.length];
    double tot = harmonize(p, w);
    return finish(args, bce(p, args.pred().shape()), w, r, tot);
  }

  /** Unreduced BCE, without the harmonizing weights (they need the whole batch; see {@link #compute}). */
  @Override
  protected Elementwise kernel(LossArgs args) {
    return bce(prepare(args), args.pred().shape());
  }

  private static Elementwise bce(Prepared p, long[] shape) {
    ClsMath.Bce bce = ClsMath.Bce.of(p.x, p.t, false);
    return Elementwise.diagonal(shape, bce.loss(), bce.grad());
  }

  private record Prepared(double[] x, double[] t, boolean[] valid, boolean single) {}

  private Prepared prepare(LossArgs args) {
    if (args.targetCount() != 2) {
      throw new IllegalArgumentException("GHMC needs (pred, target, label_weight): LossArgs.of(pred, target,"
          + " labelWeight); got " + args.targetCount() + " target(s)");
    }
    INDArray pred = args.pred();
    INDArray target = args.target(0);
    INDArray labelWeight = args.target(1);
    double[] x = Tensors.toDoubles(pred);
    double[] t;
    double[] lw;
    if (target.rank() != pred.rank()) {
      if (pred.rank() != 2 || target.rank() != 1 || target.size(0) != pred.size(0)) {
        throw new IllegalArgumentException("GHMC: target must be [N] class ids against [N,C] pred, or have pred's"
            + " shape; got target " + Tensors.shapeOf(target) + " for pred " + Tensors.shapeOf(pred));
      }
      int n = (int) pred.size(0);
      int c = (int) pred.size(1);
      long[] y = ClsMath.labels(target, "GHMC: target", 0, c, Long.MIN_VALUE,
          "label " + c + " = num_classes is the background");
      double[] rw = Tensors.toDoubles(labelWeight);
      if (rw.length != n || labelWeight.rank() > 2) {
        throw new IllegalArgumentException("GHMC: label_weight must be [N] (N=" + n + ") with class-id targets; got "
            + Tensors.shapeOf(labelWeight) + " for pred " + Tensors.shapeOf(pred));
      }
      t = ClsMath.oneHot(y, c, null);
      lw = ClsMath.repeatRows(rw, c);
    } else {
      Checks.sameShape(pred, target, TYPE.name() + ": target");
      t = Tensors.toDoubles(target);
      ClsMath.requireRange(t, "GHMC: target", 0.0, 1.0, "binary or soft targets");
      lw = WeightReduce.broadcast(labelWeight, pred.shape(), "label_weight");
    }
    // A NaN label weight would silently drop its element from the valid set (NaN > 0 is false).
    Tensors.requireFinite(lw, "GHMC: label_weight");
    boolean[] valid = new boolean[lw.length];
    for (int i = 0; i < lw.length; i++) {
      valid[i] = lw[i] > 0;
    }
    return new Prepared(x, t, valid, pred.dataType() == DataType.FLOAT);
  }

  /** Fills {@code w} with the harmonizing weights, updates the running counts, returns {@code tot}. */
  private double harmonize(Prepared p, double[] w) {
    int m = p.x.length;
    int[] bin = new int[m];
    int[] count = new int[histogram.bins()];
    int validCount = 0;
    for (int i = 0; i < m; i++) {
      bin[i] = -1;
      if (!p.valid[i]) {
        continue;
      }
      validCount++;
      // The gradient norm is compared in the input's precision against float32 edges, as torch does.
      double g = p.single
          ? Math.abs((float) ClsMath.sigmoid(p.x[i]) - (float) p.t[i])
          : Math.abs(ClsMath.sigmoid(p.x[i]) - p.t[i]);
      bin[i] = histogram.binOf(g);
      if (bin[i] >= 0) {
        count[bin[i]]++;
      }
    }
    double tot = Math.max(validCount, 1.0);
    double[] binWeight = histogram.weights(count, tot);
    for (int i = 0; i < m; i++) {
      w[i] = bin[i] < 0 ? 0.0 : binWeight[bin[i]];
    }
    return tot;
  }

  @Override
  public String toString() {
    return describe("bins=" + bins() + ", momentum=" + momentum() + ", use_sigmoid=True");
  }
}
