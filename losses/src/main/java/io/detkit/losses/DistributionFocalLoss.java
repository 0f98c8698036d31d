package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code DistributionFocalLoss} (Generalized Focal Loss): for a continuous target
 * {@code y} between the bins {@code l = trunc(y)} and {@code r = l + 1},
 * {@code CE(pred, l) * (r - y) + CE(pred, r) * (y - l)} with softmax cross-entropy over the bins.
 *
 * <p>Shapes: {@code pred} is {@code [N, n+1]} distribution logits (n = reg_max), {@code label}
 * {@code [N]} floats in {@code [0, n)}; the right bin must exist, so a label of n or more (MMDetection
 * clamps its targets to {@code reg_max - 0.01}) or a negative label is rejected. The loss is
 * {@code [N]}; {@code 'mean'} divides by N and the weight broadcasts against {@code [N]}.
 *
 * <p>Config keys: {@code reduction}, {@code loss_weight}, detkit's {@code check_finite}. Immutable
 * and thread-safe.
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when {@code pred} is not rank 2, the
 * label is not {@code [N]}, a label is outside {@code [0, n)}, or the weight does not broadcast.
 */
public final class DistributionFocalLoss extends Loss {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Void, DistributionFocalLoss> TYPE =
      LossType.of(DistributionFocalLoss.class, DistributionFocalLoss::new);

  /** The loss with {@code options}. */
  public DistributionFocalLoss(LossOptions options) {
    super(options);
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray label = args.target();
    ClsMath.requirePred2d(pred, type());
    int n = (int) pred.size(0);
    int c = (int) pred.size(1);
    if (label.rank() != 1 || label.size(0) != n) {
      throw new IllegalArgumentException("DistributionFocalLoss: label must be [N] (N=" + n + " for pred "
          + Tensors.shapeOf(pred) + "); got " + Tensors.shapeOf(label));
    }
    double[] y = Tensors.toDoubles(label);
    for (int i = 0; i < n; i++) {
      if (!(y[i] >= 0 && y[i] < c - 1)) {
        throw new IllegalArgumentException("DistributionFocalLoss: label[" + i + "] = " + y[i] + " must lie in [0, "
            + (c - 1) + ") so that both neighbouring bins exist in pred " + Tensors.shapeOf(pred));
      }
    }
    double[] x = Tensors.toDoubles(pred);
    double[] prob = new double[x.length];
    double[] loss = new double[n];
    int[] left = new int[n];
    double[] wl = new double[n];
    double[] wr = new double[n];
    for (int i = 0; i < n; i++) {
      int base = i * c;
      double lse = ClsMath.logSoftmax(x, base, 1, c, prob);
      // Truncation toward zero, which equals floor for the non-negative labels accepted above.
      int l = (int) y[i];
      left[i] = l;
      wl[i] = (l + 1) - y[i];
      wr[i] = y[i] - l;
      loss[i] = (lse - x[base + l]) * wl[i] + (lse - x[base + l + 1]) * wr[i];
    }
    return new Elementwise(new long[] {n}, loss, up -> {
      double[] g = new double[x.length];
      for (int i = 0; i < n; i++) {
        if (up[i] == 0) {
          continue;
        }
        int base = i * c;
        double total = wl[i] + wr[i];
        for (int j = 0; j < c; j++) {
          g[base + j] = up[i] * total * prob[base + j];
        }
        g[base + left[i]] -= up[i] * wl[i];
        g[base + left[i] + 1] -= up[i] * wr[i];
      }
      return g;
    });
  }
}
