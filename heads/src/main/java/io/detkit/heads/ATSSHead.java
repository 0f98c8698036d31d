package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code ATSSHead} (Adaptive Training Sample Selection): an {@link AnchorHead}
 * with a third output, {@code centernesses} {@code [N, A, H, W]}, and its own targets and losses.
 *
 * <p>Its assigner, ATSSAssigner, gets the number of inside anchors of each level through the
 * default {@link #assign} (the assigner asks for them: {@code usesLevelCounts()}); the head never
 * samples, and {@code reg_decoded_bbox} defaults to True, so the regression targets are the gt boxes.
 * It changes the targets through two of {@link AnchorHead}'s hooks, as the loss tutorial shows:
 * <ul>
 *   <li>{@link #refineTargets}: each image's targets carry the inside anchors;
 *   <li>{@link #refineBatchTargets}: per level, {@code centerness_targets} {@code [N, A_l]}:
 *       for each positive, {@code sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b))} of the anchor centre's
 *       distances to its gt box's sides, 0 elsewhere. They are the weights of the box loss and the
 *       targets of the centerness loss.
 * </ul>
 *
 * <p>Losses per level ({@link #lossFromTargets}): {@code loss_cls} over all anchors with
 * {@code avg_factor = max(num_total_pos, 1)}; over the positives, {@code loss_bbox} on the decoded
 * predictions against the gt boxes, weighted by the centerness targets with {@code avg_factor=1},
 * finally divided by {@code max(sum of all centerness targets, 1)}, and {@code loss_centerness}
 * (sigmoid cross-entropy of the centerness logits against the centerness targets) with
 * {@code avg_factor = max(num_total_pos, 1)}. A level without positives contributes 0 to both.
 *
 * <p>Thread-safety, errors and randomness as {@link AnchorHead}; outputs are checked to be
 * {@code cls_scores [N, A*C, H, W]}, {@code bbox_preds [N, A*4, H, W]} and
 * {@code centernesses [N, A, H, W]}.
 */
public class ATSSHead extends AnchorHead {
  /** Name of the level extra holding the centerness targets. */
  public static final String CENTERNESS_TARGETS = "centerness_targets";

  /** Config key and loss dict key of the centerness loss. */
  public static final String LOSS_CENTERNESS = "loss_centerness";

  static final Config DEFAULT_LOSS_CENTERNESS = Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
      "loss_weight", 1.0);

  private final Loss lossCenterness;

  /** Builds the head a builder describes (its builder declared {@code loss_centerness}: {@link #defaults}). */
  protected ATSSHead(HeadBuilder<?, ?> b) {
    super(b);
    this.lossCenterness = extraLoss(LOSS_CENTERNESS);
  }

  /**
   * Builds from an MMDetection config dict ({@code type='ATSSHead'}): the keys of
   * {@link HeadBuilder#fromConfig} plus {@code loss_centerness}; {@code pred_kernel_size} is
   * accepted and ignored.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static ATSSHead fromConfig(Config c) {
    return new Builder().fromConfig(c);
  }

  /**
   * Gives {@code b} ATSSHead's defaults, for the builder of a subclass
   * ({@code super(MyHead.class, MyHead::new); ATSSHead.defaults(this);}): {@code reg_decoded_bbox=True}, no
   * sampling, the extra loss {@code loss_centerness} (sigmoid cross-entropy), {@code pred_kernel_size}
   * ignored.
   */
  public static <B extends HeadBuilder<B, ?>> B defaults(B b) {
    return b.params(p -> p.withRegDecodedBbox(true)).disableSampling()
        .declareLoss(LOSS_CENTERNESS, DEFAULT_LOSS_CENTERNESS).ignoreKeys("pred_kernel_size");
  }

  /** The centerness loss. */
  public final Loss lossCenterness() {
    return lossCenterness;
  }

  @Override
  public List<String> outputNames() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS, HeadOutputs.CENTERNESSES);
  }

  @Override
  public int outputChannels(String name, int level) {
    return name.equals(HeadOutputs.CENTERNESSES) ? numBaseAnchors(level) : super.outputChannels(name, level);
  }

  /** ATSS multiplies class scores by the sigmoid of the centerness before NMS. */
  @Override
  protected String scoreFactorName() {
    return HeadOutputs.CENTERNESSES;
  }

  /** {@link #loss(HeadOutputs, List, List)} from the three output lists. */
  public HeadLoss loss(List<INDArray> clsScores, List<INDArray> bboxPreds, List<INDArray> centernesses,
      List<GroundTruth> gts, List<ImageMeta> metas) {
    return loss(HeadOutputs.of(clsScores, bboxPreds).with(HeadOutputs.CENTERNESSES, centernesses), gts, metas);
  }

  // docs/customize_losses.md quotes the two hooks below between these tags. (The assignment needs no
  // hook: ATSSAssigner asks for the per-level counts itself, BaseAssigner.usesLevelCounts.)
  // tag::atss-refine-targets[]
  /** The targets carry the inside anchors (zeros outside): the box loss decodes against them. */
  @Override
  protected ImageTargets refineTargets(SingleImageInput in, ImageTargets targets) {
    return super.refineTargets(in, in.withInsideAnchors(targets));
  }
  // end::atss-refine-targets[]

  // tag::atss-batch-targets[]
  /** Then {@code centerness_targets} are attached per level (see the class comment). */
  @Override
  protected HeadTargets refineBatchTargets(HeadTargets targets) {
    return withCenternessTargets(super.refineBatchTargets(targets));
  }
  // end::atss-batch-targets[]

  /** The targets with {@code centerness_targets} attached per level. */
  protected HeadTargets withCenternessTargets(HeadTargets t) {
    Precision p = Precision.of(t.dataType());
    List<INDArray> perLevel = new ArrayList<>();
    for (int l = 0; l < t.numLevels(); l++) {
      // Only the positives' anchors and boxes, read from the images' arrays (not whole levels gathered).
      int[] pos = t.levels().positives(l);
      double[] anchors = t.levels().rowsAt(l, pos, 4, ImageTargets::anchorsNoCopy, "anchors");
      double[] gts = t.levels().rowsAt(l, pos, 4, ImageTargets::bboxTargets, "bbox_targets");
      double[] out = new double[t.numImages() * t.numLevelAnchors()[l]];
      for (int q = 0; q < pos.length; q++) {
        out[pos[q]] = centerness(anchors, gts, q, p);
      }
      perLevel.add(Tensors.create(out, t.dataType(), t.numImages(), t.numLevelAnchors()[l]));
    }
    return t.withLevelExtra(CENTERNESS_TARGETS, perLevel);
  }

  /**
   * MMDetection's {@code centerness_target} of anchor row {@code i} against gt row {@code i}, in the
   * working precision. The anchor centre of a positive lies inside its gt box for ATSS, so no
   * denominator is 0.
   */
  static double centerness(double[] anchors, double[] gts, int i, Precision p) {
    int o = i * 4;
    double cx = p.round(p.round(anchors[o + 2] + anchors[o]) / 2);
    double cy = p.round(p.round(anchors[o + 3] + anchors[o + 1]) / 2);
    double l = p.round(cx - gts[o]);
    double t = p.round(cy - gts[o + 1]);
    double r = p.round(gts[o + 2] - cx);
    double b = p.round(gts[o + 3] - cy);
    double lr = p.round(Math.min(l, r) / Math.max(l, r));
    double tb = p.round(Math.min(t, b) / Math.max(t, b));
    return p.round(Math.sqrt(p.round(lr * tb)));
  }

  /** ATSS averages its classification and centerness losses by {@code max(num_total_pos, 1)}. */
  @Override
  protected double avgFactor(HeadTargets t) {
    return Math.max(t.numTotalPos(), 1.0);
  }

  /**
   * ATSS's losses (see the class comment): per level the {@link #clsLoss} hook with
   * {@link #avgFactor}, box and centerness losses over the positives; then every level's box loss
   * divided by the batch's total centerness.
   */
  @Override
  public HeadLoss lossFromTargets(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t) {
    double numTotalSamples = avgFactor(t);
    DataType dtype = anchors.dataType();
    Precision p = Precision.of(dtype);
    GradAccumulator grads = new GradAccumulator(outputs, dtype, HeadStep.active());
    Map<String, double[]> dict = new LinkedHashMap<>();
    int levels = anchors.numLevels();
    // Box gradients wait for the batch's total centerness; only the positives' rows are non-zero.
    int[][] boxGradPos = new int[levels][];
    double[][] boxGrad = new double[levels][];
    double centernessSum = 0;
    for (int l = 0; l < levels; l++) {
      LevelLosses level = new LevelLosses(l, outputs, anchors, t, numTotalSamples, grads, dict);
      level.put(clsLossName(), clsLoss(level));
      level.put(bboxLossName(), 0.0);
      level.put(LOSS_CENTERNESS, 0.0);
      int[] pos = t.levels().positives(l);
      if (pos.length == 0) {
        continue;
      }
      // The positives' rows read straight from the NCHW outputs, not whole levels permuted to rows.
      double[] posPred = level.valuesAt(HeadOutputs.BBOX_PREDS, pos, 4);
      double[] posCent = level.valuesAt(HeadOutputs.CENTERNESSES, pos, 1);
      double[] posAnchors = t.levels().rowsAt(l, pos, 4, ImageTargets::anchorsNoCopy, "anchors");
      double[] posTargets = level.bboxTargetsAt(pos);
      double[] posCentTargets = LevelLosses.elementsAt(t.extra(CENTERNESS_TARGETS, l).orElseThrow(), pos);
      int m = pos.length;
      int a = numBaseAnchors(l);
      double levelCentSum = 0;
      for (double v : posCentTargets) {
        levelCentSum += v;
      }
      INDArray predArr = Tensors.create(posPred, dtype, m, 4);
      INDArray anchorArr = Tensors.create(posAnchors, dtype, m, 4);
      INDArray centTargetArr = Tensors.create(posCentTargets, dtype, m);
      INDArray decoded = bboxCoder().decode(anchorArr, predArr, null);
      LossResult rb = lossBbox().forward(LossArgs.of(decoded, Tensors.create(posTargets, dtype, m, 4))
          .weight(centTargetArr).avgFactor(1.0));
      boxGradPos[l] = pos;
      boxGrad[l] = Tensors.toDoubles(bboxCoder().decodeVjp(anchorArr, predArr, null, rb.gradPred()));
      level.put(bboxLossName(), rb.scalar());
      LossResult rc = lossCenterness.forward(LossArgs.of(Tensors.create(posCent, dtype, m), centTargetArr)
          .avgFactor(numTotalSamples));
      grads.addAtRows(HeadOutputs.CENTERNESSES, l, pos, Tensors.toDoubles(rc.gradPred()), a, 1);
      level.put(LOSS_CENTERNESS, rc.scalar());
      // torch sums each level's targets in float32 (accurately), then adds the level sums one by one.
      centernessSum = p.round(centernessSum + p.round(levelCentSum));
    }
    // MMDetection divides every level's box loss by the batch's total centerness (at least 1).
    double bboxAvgFactor = Math.max(centernessSum, 1.0);
    double[] box = dict.get(bboxLossName());
    for (int l = 0; l < levels; l++) {
      box[l] = p.round(box[l] / bboxAvgFactor);
      if (boxGradPos[l] != null) {
        double[] g = boxGrad[l];
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / bboxAvgFactor;
        }
        grads.addAtRows(HeadOutputs.BBOX_PREDS, l, boxGradPos[l], g, numBaseAnchors(l), 4);
      }
    }
    return HeadLoss.of(dict, grads.toOutputs(), t);
  }

  /** Builder of {@link ATSSHead}s. */
  public static final class Builder extends HeadBuilder<Builder, ATSSHead> {
    /** A builder with this head's defaults ({@link #defaults}). */
    public Builder() {
      super(ATSSHead.class, ATSSHead::new);
      defaults(this);
    }

    /** {@code loss_centerness}. */
    public Builder lossCenterness(Loss lossCenterness) {
      return loss(LOSS_CENTERNESS, lossCenterness);
    }
  }
}
