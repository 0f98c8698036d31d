package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
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
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when {@code pred} is not
 * {@code [N,C]}, the labels are not integer ids in {@code [0, C]}, the scores are not {@code [N]}
 * and in [0, 1], a dense target is not in [0, 1] or not of {@code pred}'s shape, activated
 * probabilities leave [0, 1], or the weight does not broadcast.
 */
public final class QualityFocalLoss extends ParamLoss<QualityFocalLoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, QualityFocalLoss> TYPE =
      LossType.of(QualityFocalLoss.class, Params.DEFAULTS, QualityFocalLoss::new).sigmoidOnly();

  /**
   * QualityFocalLoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param beta the exponent of {@code |y - sigma|^beta}, finite and {@code >= 0}
   * @param activated whether {@code pred} holds probabilities rather than logits
   */
  @RecordBuilder
  public record Params(@NonNegative double beta, boolean activated) implements QualityFocalLossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(2.0, false);

    /** @throws IllegalArgumentException {@code "QualityFocalLoss: beta must be a finite number >= 0; got -1.0"} */
    public Params {
      ParamChecks.check(Params.class, beta, activated);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public QualityFocalLoss(LossOptions options, Params params) {
    super(options, params);
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    boolean activated = params().activated();
    double beta = params().beta();
    double[] x = ClsMath.scores(pred, type(), activated);
    int n = (int) pred.size(0);
    int c = (int) pred.size(1);
    double[] y = targets(args, pred, n, c);
    ClsMath.Bce bce = ClsMath.Bce.of(x, y, activated);
    double[] terms = new double[n * c];
    double[] dLoss = new double[n * c];
    for (int k = 0; k < terms.length; k++) {
      bce.modulateByDistance(k, y[k], 1.0, beta, terms, dLoss);
    }
    // MMDetection sums the class terms: one loss per sample.
    double[] loss = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < c; j++) {
        sum += terms[i * c + j];
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
      Checks.sameShape(pred, t, TYPE.name() + " (dense soft target): target");
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
    Tensors.requireFinite(s, "QualityFocalLoss: scores");
    // A quality score is an IoU: above 1 the BCE target leaves [0, 1] and the loss goes negative.
    ClsMath.requireRange(s, "QualityFocalLoss: scores", 0.0, 1.0, "quality scores (IoU)");
    return ClsMath.oneHot(l, c, s);
  }

  @Override
  public String toString() {
    return describe("use_sigmoid=True, beta=" + params().beta() + ", activated=" + py(params().activated()));
  }
}
