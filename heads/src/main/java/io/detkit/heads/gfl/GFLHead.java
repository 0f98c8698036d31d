package io.detkit.heads.gfl;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.ImageTargets;
import io.detkit.heads.MultiLevelAnchors;
import io.detkit.core.precision.Precision;
import io.detkit.heads.SingleImageInput;
import io.detkit.losses.Loss;

/**
 * MMDetection 2.x's {@code GFLHead} (Generalized Focal Loss): an anchor head with one square anchor
 * per location, used only to assign (ATSS) and for its centre. Each box side is predicted as a
 * discrete distribution over the bins {@code 0 .. reg_max} in stride units, so {@code bbox_preds} has
 * {@code 4 * (reg_max + 1)} channels per anchor ({@code side * (reg_max + 1) + bin}, sides l, t, r,
 * b); the distance is the distribution's expectation ({@link Integral}). {@code cls_scores} are the
 * logits of the joint class-quality score.
 *
 * <p>Targets: ATSS's (its assigner gets each level's inside-anchor count, no sampling), with the gt
 * boxes themselves as regression targets and the inside anchors attached. Losses:
 * {@link GFLLossComputer}. Prediction: the class scores' sigmoid, the distances times the stride
 * around the anchor centre, clipped to the image ({@link #decodePredictions}).
 *
 * <p>Configured with the keys of {@link HeadBuilder#fromConfig} plus {@code reg_max} (default 16)
 * and {@code loss_dfl} (default {@code DistributionFocalLoss}, loss weight 0.25). Thread-safety,
 * randomness and errors as {@link AnchorHead}; outputs are checked to be
 * {@code cls_scores [N, A*C, H, W]} and {@code bbox_preds [N, A*4*(reg_max+1), H, W]}.
 */
public class GFLHead extends AnchorHead {
  /** Config key and loss dict key of the distribution focal loss. */
  public static final String LOSS_DFL = "loss_dfl";

  static final Config DEFAULT_LOSS_DFL = Config.of("type", "DistributionFocalLoss", "loss_weight", 0.25);
  static final Config DEFAULT_BBOX_CODER = Config.of("type", "DistancePointBBoxCoder");

  private final Integral integral;
  private final Loss lossDfl;
  private final GFLLossComputer gflLoss;

  /** Builds the head a builder describes (its builder declared {@code loss_dfl}: {@link #defaults}). */
  protected GFLHead(HeadBuilder<?, ?> b, int regMax) {
    super(b);
    this.integral = new Integral(regMax);
    this.lossDfl = extraLoss(LOSS_DFL);
    this.gflLoss = new GFLLossComputer(this);
  }

  /**
   * Builds from an MMDetection config dict ({@code type='GFLHead'}).
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static GFLHead fromConfig(Config c) {
    return new Builder().fromConfig(c);
  }

  /**
   * Gives {@code b} GFLHead's defaults, for the builder of a subclass: {@code reg_decoded_bbox=True}
   * (targets are the gt boxes), no sampling, {@code DistancePointBBoxCoder}, the extra loss
   * {@code loss_dfl}.
   */
  public static <B extends HeadBuilder<B, ?>> B defaults(B b) {
    return b.params(p -> p.withRegDecodedBbox(true).withBboxCoder(CoreRegistries.buildBBoxCoder(DEFAULT_BBOX_CODER)))
        .disableSampling().declareLoss(LOSS_DFL, DEFAULT_LOSS_DFL);
  }

  /** The largest bin of the side distributions. */
  public final int regMax() {
    return integral.regMax();
  }

  /** The projection of the side distributions into distances. */
  public final Integral integral() {
    return integral;
  }

  /** The distribution focal loss. */
  public final Loss lossDfl() {
    return lossDfl;
  }

  @Override
  public int outputChannels(String name, int level) {
    return name.equals(HeadOutputs.BBOX_PREDS) ? numBaseAnchors(level) * 4 * integral.bins()
        : super.outputChannels(name, level);
  }

  /** The targets carry the inside anchors (zeros outside): the losses use their centres. */
  @Override
  protected ImageTargets refineTargets(SingleImageInput in, ImageTargets targets) {
    return super.refineTargets(in, in.withInsideAnchors(targets));
  }

  /** GFL averages its classification loss by {@code max(num_total_pos, 1)}. */
  @Override
  protected double avgFactor(HeadTargets t) {
    return Math.max(t.numTotalPos(), 1.0);
  }

  /**
   * The losses of {@link GFLLossComputer}, carrying the values they were computed from (quality
   * targets, weights, decoded boxes, DFL targets, divisors: {@code details(GFLLoss.class)}).
   * Caller's thread.
   */
  @Override
  public HeadLoss lossFromTargets(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets targets) {
    return gflLoss.loss(outputs, anchors, targets);
  }

  /**
   * GFL's boxes: the distances of the candidates' distributions times the stride, around the anchor
   * centres, clipped to {@code img_shape}.
   */
  @Override
  protected double[] decodePredictions(int level, double[] anchors, double[] bboxPredRows, int[] imgShape,
      Precision p) {
    int n = anchors.length / 4;
    double[] dist = integral.forward(bboxPredRows, n, p.isSingle());
    double s = stride(level);
    double[] boxes = new double[n * 4];
    for (int k = 0; k < n; k++) {
      double cx = p.round(p.round(anchors[k * 4] + anchors[k * 4 + 2]) / 2);
      double cy = p.round(p.round(anchors[k * 4 + 1] + anchors[k * 4 + 3]) / 2);
      double[] d = new double[4];
      for (int c = 0; c < 4; c++) {
        d[c] = p.round(dist[k * 4 + c] * s);
      }
      boxes[k * 4] = clamp(p.round(cx - d[0]), imgShape[1]);
      boxes[k * 4 + 1] = clamp(p.round(cy - d[1]), imgShape[0]);
      boxes[k * 4 + 2] = clamp(p.round(cx + d[2]), imgShape[1]);
      boxes[k * 4 + 3] = clamp(p.round(cy + d[3]), imgShape[0]);
    }
    return boxes;
  }

  private static double clamp(double v, double max) {
    return Math.min(Math.max(v, 0), max);
  }

  @Override
  public String toString() {
    return "GFLHead(num_classes=" + numClasses() + ", reg_max=" + regMax() + ", loss_cls=" + lossCls()
        + ", loss_bbox=" + lossBbox() + ", loss_dfl=" + lossDfl + ")";
  }

  /** Builder of {@link GFLHead}s. */
  public static final class Builder extends HeadBuilder<Builder, GFLHead> {
    private int regMax = 16;

    /** A builder with this head's defaults ({@link #defaults}). */
    public Builder() {
      super(GFLHead.class, b -> new GFLHead(b, b.regMax));
      defaults(this);
    }

    /** {@code reg_max}: the largest bin of the side distributions (&gt;= 1). */
    public Builder regMax(int regMax) {
      return set(() -> this.regMax = regMax);
    }

    /** {@code loss_dfl}. */
    public Builder lossDfl(Loss lossDfl) {
      return loss(LOSS_DFL, lossDfl);
    }

    @Override
    protected void readConfig(Config c) {
      regMax(c.getInt("reg_max", regMax));
    }
  }
}
