package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
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
 * {@code label_weight > 0} are valid; the label weight's magnitude is not used otherwise. The loss
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
 * over. Updates are {@code synchronized} on the instance, so concurrent calls are safe and
 * serialised on the statistics (their order decides the result). With {@code momentum = 0} there
 * is no state.
 *
 * <p>Config keys: {@code bins} (10), {@code momentum} (0), {@code use_sigmoid} (True; False is
 * rejected as MMDetection raises NotImplementedError), {@code loss_weight}, {@code reduction},
 * detkit's {@code check_finite}.
 */
public final class GHMC extends Loss {
  public static final String TYPE = "GHMC";

  private final int bins;
  private final double momentum;
  private final float[] edges;
  /** Guarded by {@code this}. */
  private final float[] accSum;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException on a bad value */
  public GHMC(Config c) {
    this(c.getInt("bins", 10), c.getDouble("momentum", 0.0), c.getBoolean("use_sigmoid", true),
        Reduction.parse(c.getString("reduction", "mean")), c.getDouble("loss_weight", 1.0),
        c.getBoolean("check_finite", false));
  }

  private GHMC(int bins, double momentum, boolean useSigmoid, Reduction reduction, double lossWeight,
      boolean checkFinite) {
    super(TYPE, reduction, lossWeight, checkFinite);
    if (bins < 1) {
      throw new IllegalArgumentException("GHMC: bins must be >= 1; got " + bins);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("GHMC: momentum must be in [0, 1); got " + momentum);
    }
    if (!useSigmoid) {
      throw new IllegalArgumentException("GHMC: use_sigmoid must be True (MMDetection raises NotImplementedError for"
          + " the softmax form); got False");
    }
    this.bins = bins;
    this.momentum = momentum;
    this.edges = new float[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = (float) i / (float) bins;
    }
    edges[bins] += 1e-6f;
    this.accSum = new float[bins];
  }

  public static Builder builder() {
    return new Builder();
  }

  public int bins() {
    return bins;
  }

  public double momentum() {
    return momentum;
  }

  /** A snapshot of the running per-bin counts (all 0 without momentum or before the first call). */
  public synchronized double[] runningCounts() {
    double[] out = new double[bins];
    for (int i = 0; i < bins; i++) {
      out[i] = accSum[i];
    }
    return out;
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
    long[] shape = args.pred().shape();
    double[] loss = new double[p.x.length];
    double[] dLoss = new double[p.x.length];
    for (int i = 0; i < loss.length; i++) {
      loss[i] = ClsMath.bceWithLogits(p.x[i], p.t[i]);
      dLoss[i] = ClsMath.sigmoid(p.x[i]) - p.t[i];
    }
    Elementwise e = new Elementwise(shape, loss, up -> {
      double[] g = new double[up.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = up[i] * dLoss[i];
      }
      return g;
    });
    return finish(args, e, w, r, tot);
  }

  /** Unreduced BCE, without the harmonizing weights (they need the whole batch; see {@link #compute}). */
  @Override
  protected Elementwise kernel(LossArgs args) {
    Prepared p = prepare(args);
    double[] loss = new double[p.x.length];
    for (int i = 0; i < loss.length; i++) {
      loss[i] = ClsMath.bceWithLogits(p.x[i], p.t[i]);
    }
    return new Elementwise(args.pred().shape(), loss, up -> up.clone());
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
      t = new double[n * c];
      lw = new double[n * c];
      for (int i = 0; i < n; i++) {
        if (y[i] < c) {
          t[i * c + (int) y[i]] = 1.0;
        }
        Arrays.fill(lw, i * c, (i + 1) * c, rw[i]);
      }
    } else {
      ClsMath.requireSameShape(pred, target, "target", TYPE);
      t = Tensors.toDoubles(target);
      ClsMath.requireRange(t, "GHMC: target", 0.0, 1.0, "binary or soft targets");
      lw = WeightReduce.broadcast(labelWeight, pred.shape(), "label_weight");
    }
    boolean[] valid = new boolean[lw.length];
    for (int i = 0; i < lw.length; i++) {
      valid[i] = lw[i] > 0;
    }
    return new Prepared(x, t, valid, pred.dataType() == DataType.FLOAT);
  }

  /** Fills {@code w} with the harmonizing weights, updates the running counts, returns {@code tot}. */
  private synchronized double harmonize(Prepared p, double[] w) {
    int m = p.x.length;
    int[] bin = new int[m];
    int[] count = new int[bins];
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
      for (int b = 0; b < bins; b++) {
        if (g >= edges[b] && g < edges[b + 1]) {
          bin[i] = b;
          count[b]++;
          break;
        }
      }
    }
    double tot = Math.max(validCount, 1.0);
    double[] binWeight = new double[bins];
    int nonEmpty = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        if (momentum > 0) {
          accSum[b] = (float) (momentum * accSum[b] + (1 - momentum) * count[b]);
          binWeight[b] = tot / accSum[b];
        } else {
          binWeight[b] = tot / count[b];
        }
        nonEmpty++;
      }
    }
    for (int i = 0; i < m; i++) {
      w[i] = bin[i] < 0 ? 0.0 : binWeight[bin[i]] / Math.max(nonEmpty, 1);
    }
    return tot;
  }

  @Override
  public String toString() {
    return "GHMC(bins=" + bins + ", momentum=" + momentum + ", use_sigmoid=True, reduction='" + reduction().key()
        + "', loss_weight=" + lossWeight() + ")";
  }

  /** Java-side construction with MMDetection's defaults. */
  public static final class Builder {
    private int bins = 10;
    private double momentum;
    private Reduction reduction = Reduction.MEAN;
    private double lossWeight = 1.0;
    private boolean checkFinite;

    private Builder() {}

    public Builder bins(int bins) {
      this.bins = bins;
      return this;
    }

    public Builder momentum(double momentum) {
      this.momentum = momentum;
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

    /** @throws IllegalArgumentException for bins &lt; 1 or momentum outside [0, 1) */
    public GHMC build() {
      return new GHMC(bins, momentum, true, reduction, lossWeight, checkFinite);
    }
  }
}
