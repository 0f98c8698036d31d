package io.detkit.heads;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import io.detkit.samplers.SamplingResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code ATSSHead} (Adaptive Training Sample Selection): an {@link AnchorHead}
 * with a third output, {@code centernesses} {@code [N, A, H, W]}, and its own targets and losses.
 *
 * <p>It changes the weighting through {@link #getTargets}, the override point the loss tutorial
 * describes:
 * <ul>
 *   <li>its per-image step ({@link #getTargetsSingle}) hands the assigner (ATSSAssigner) the number
 *       of inside anchors of each level, never samples, and returns the inside anchors with the
 *       targets; {@code reg_decoded_bbox} defaults to True, so the regression targets are the gt
 *       boxes;
 *   <li>{@link #getTargets} then attaches, per level, {@code centerness_targets} {@code [N, A_l]}:
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

  static final Config DEFAULT_LOSS_CENTERNESS = Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
      "loss_weight", 1.0);

  private final Loss lossCenterness;

  /** Builds the head a builder describes. */
  protected ATSSHead(Builder b) {
    super(b);
    this.lossCenterness = b.lossCenterness;
  }


  /**
   * Builds from an MMDetection config dict ({@code type='ATSSHead'}): the keys of
   * {@link AnchorHead#fromConfig} plus {@code loss_centerness}; {@code pred_kernel_size} and the
   * convolution keys ({@link AnchorHead#CONV_KEYS}) are accepted and ignored.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static ATSSHead fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    Builder b = new Builder();
    readCommon(c, b, true);
    Config lc = c.getConfigOrNull("loss_centerness");
    if (lc != null) {
      b.lossCenterness(Losses.build(lc));
    }
    c.accept(CONV_KEYS);
    c.accept("pred_kernel_size");
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw e instanceof ConfigException ? e : ConfigException.at(c.path(), e.getMessage());
    }
  }

  /** The centerness loss. */
  public final Loss lossCenterness() {
    return lossCenterness;
  }

  @Override
  protected List<String> outputNames() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS, HeadOutputs.CENTERNESSES);
  }

  @Override
  protected int outputChannels(String name, int level) {
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

  // docs/customize_losses.md quotes the two overrides below between these tags.
  // tag::atss-get-targets[]
  /**
   * ATSS's targets: the per-image step below, then {@code centerness_targets} attached per level
   * (see the class comment).
   */
  @Override
  public Optional<HeadTargets> getTargets(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels, RandomGenerator.SplittableGenerator random) {
    return super.getTargets(anchors, gts, metas, labelChannels, random).map(this::withCenternessTargets);
  }
  // end::atss-get-targets[]

  /**
   * ATSS's per-image step: inside anchors as in {@link AnchorHead}, assigned with the count of
   * inside anchors per level and the gt labels, sampled by the PseudoSampler; the targets carry the
   * inside anchors (zeros outside).
   */
  // tag::atss-get-targets-single[]
  @Override
  protected Optional<ImageTargets> getTargetsSingle(SingleImageInput in) {
    TrainConfig cfg = trainCfg().orElseThrow();
    double[] all = in.flatAnchorData();
    boolean[] inside = AnchorUtils.insideFlags(all, in.validFlags(), in.meta(), cfg.allowedBorder());
    int[] insideIdx = AnchorUtils.indicesOf(inside);
    if (insideIdx.length == 0) {
      return Optional.empty();
    }
    INDArray anchors = in.anchorsWhere(inside);
    // ATSS picks candidates per level, so it needs each level's count of inside anchors.
    int[] levelInside = AnchorUtils.numLevelInside(in.numLevelAnchors(), inside);
    GroundTruth gt = in.gt();
    AssignResult assign = assigner().assign(anchors, levelInside, gt.bboxes(), gt.bboxesIgnore().orElse(null),
        gt.labels().orElse(null));
    SamplingResult sr = sampler().sample(assign, anchors, gt.bboxes(), null, in.random());
    double[] insideAnchors = new double[insideIdx.length * 4];
    for (int k = 0; k < insideIdx.length; k++) {
      System.arraycopy(all, insideIdx[k] * 4, insideAnchors, k * 4, 4);
    }
    return Optional.of(buildTargets(in, inside, insideIdx, assign, sr, insideAnchors));
  }
  // end::atss-get-targets-single[]

  /** The targets with {@code centerness_targets} attached per level. */
  protected HeadTargets withCenternessTargets(HeadTargets t) {
    Precision p = Precision.of(t.dataType());
    List<INDArray> perLevel = new ArrayList<>();
    for (int l = 0; l < t.numLevels(); l++) {
      int[] labels = t.labelsData(l);
      double[] anchors = t.anchorsData(l);
      double[] gts = t.bboxTargetsData(l);
      double[] out = new double[labels.length];
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] >= 0 && labels[i] < numClasses()) {
          out[i] = centerness(anchors, gts, i, p);
        }
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
    double cx = p.r(p.r(anchors[o + 2] + anchors[o]) / 2);
    double cy = p.r(p.r(anchors[o + 3] + anchors[o + 1]) / 2);
    double l = p.r(cx - gts[o]);
    double t = p.r(cy - gts[o + 1]);
    double r = p.r(gts[o + 2] - cx);
    double b = p.r(gts[o + 3] - cy);
    double lr = p.r(Math.min(l, r) / Math.max(l, r));
    double tb = p.r(Math.min(t, b) / Math.max(t, b));
    return p.r(Math.sqrt(p.r(lr * tb)));
  }

  /**
   * ATSS's losses (see the class comment): classification as {@link AnchorHead} with
   * {@code avg_factor = max(num_total_pos, 1)}, box and centerness losses over the positives.
   */
  @Override
  protected HeadLoss lossFromTargets(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t) {
    double numTotalSamples = Math.max(t.numTotalPos(), 1.0);
    DataType dtype = anchors.dataType();
    Precision p = Precision.of(dtype);
    GradBuffer grads = new GradBuffer(outputs, dtype);
    int levels = anchors.numLevels();
    double[] cls = new double[levels];
    double[] box = new double[levels];
    double[] cent = new double[levels];
    // Box gradients wait for the batch's total centerness; only the positives' rows are non-zero.
    int[][] boxGradPos = new int[levels][];
    double[][] boxGrad = new double[levels][];
    double centernessSum = 0;
    for (int l = 0; l < levels; l++) {
      cls[l] = clsLossLevel(outputs, t, l, numTotalSamples, grads);
      int[] labels = t.labelsData(l);
      int[] pos = positives(labels);
      if (pos.length == 0) {
        continue;
      }
      INDArray preds = outputs.get(HeadOutputs.BBOX_PREDS, l);
      int hw = (int) (preds.size(2) * preds.size(3));
      int a = numBaseAnchors(l);
      // Read the positives straight from the NCHW outputs instead of permuting whole levels to rows.
      double[] predData = Tensors.toDoubles(preds);
      double[] centData = Tensors.toDoubles(outputs.get(HeadOutputs.CENTERNESSES, l));
      double[] anchorRows = t.anchorsData(l);
      double[] targetRows = t.bboxTargetsData(l);
      double[] centTargets = Tensors.toDoubles(t.extra(CENTERNESS_TARGETS, l).orElseThrow());
      int m = pos.length;
      double[] posPred = new double[m * 4];
      double[] posAnchors = new double[m * 4];
      double[] posTargets = new double[m * 4];
      double[] posCent = new double[m];
      double[] posCentTargets = new double[m];
      double levelCentSum = 0;
      for (int k = 0; k < m; k++) {
        int i = pos[k];
        for (int c = 0; c < 4; c++) {
          posPred[k * 4 + c] = predData[Layout.nchwIndex(i, c, a, 4, hw)];
        }
        System.arraycopy(anchorRows, i * 4, posAnchors, k * 4, 4);
        System.arraycopy(targetRows, i * 4, posTargets, k * 4, 4);
        posCent[k] = centData[Layout.nchwIndex(i, 0, a, 1, hw)];
        posCentTargets[k] = centTargets[i];
        levelCentSum += posCentTargets[k];
      }
      INDArray predArr = Tensors.create(posPred, dtype, m, 4);
      INDArray anchorArr = Tensors.create(posAnchors, dtype, m, 4);
      INDArray centTargetArr = Tensors.create(posCentTargets, dtype, m);
      INDArray decoded = bboxCoder().decode(anchorArr, predArr, null);
      LossResult rb = lossBbox().forward(LossArgs.of(decoded, Tensors.create(posTargets, dtype, m, 4))
          .weight(centTargetArr).avgFactor(1.0));
      boxGradPos[l] = pos;
      boxGrad[l] = Tensors.toDoubles(bboxCoder().decodeVjp(anchorArr, predArr, null, rb.gradPred()));
      box[l] = rb.scalar();
      LossResult rc = lossCenterness.forward(LossArgs.of(Tensors.create(posCent, dtype, m), centTargetArr)
          .avgFactor(numTotalSamples));
      double[] gc = Tensors.toDoubles(rc.gradPred());
      double[] centGrad = new double[centData.length];
      for (int k = 0; k < m; k++) {
        // 0.0 + g: a -0.0 gradient comes back as 0.0, as it did when gradients were summed into zeros.
        centGrad[Layout.nchwIndex(pos[k], 0, a, 1, hw)] = 0.0 + gc[k];
      }
      grads.add(HeadOutputs.CENTERNESSES, l, Tensors.create(centGrad, dtype, grads.shape(HeadOutputs.CENTERNESSES, l)));
      cent[l] = rc.scalar();
      // torch sums each level's targets in float32 (accurately), then adds the level sums one by one.
      centernessSum = p.r(centernessSum + p.r(levelCentSum));
    }
    // MMDetection divides every level's box loss by the batch's total centerness (at least 1).
    double bboxAvgFactor = Math.max(centernessSum, 1.0);
    for (int l = 0; l < levels; l++) {
      box[l] = p.r(box[l] / bboxAvgFactor);
      int[] pos = boxGradPos[l];
      if (pos == null) {
        continue;
      }
      long[] shape = grads.shape(HeadOutputs.BBOX_PREDS, l);
      int hw = (int) (shape[2] * shape[3]);
      int a = numBaseAnchors(l);
      double[] g = boxGrad[l];
      double[] nchw = new double[(int) (shape[0] * shape[1] * hw)];
      for (int k = 0; k < pos.length; k++) {
        for (int c = 0; c < 4; c++) {
          nchw[Layout.nchwIndex(pos[k], c, a, 4, hw)] = 0.0 + g[k * 4 + c] / bboxAvgFactor;
        }
      }
      grads.add(HeadOutputs.BBOX_PREDS, l, Tensors.create(nchw, dtype, shape));
    }
    Map<String, double[]> losses = new LinkedHashMap<>();
    losses.put(clsLossName(), cls);
    losses.put(bboxLossName(), box);
    losses.put("loss_centerness", cent);
    return HeadLoss.of(losses, grads.toOutputs(), t);
  }

  private int[] positives(int[] labels) {
    int m = 0;
    for (int lab : labels) {
      m += lab >= 0 && lab < numClasses() ? 1 : 0;
    }
    int[] out = new int[m];
    int k = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= 0 && labels[i] < numClasses()) {
        out[k++] = i;
      }
    }
    return out;
  }

  /** Builder of {@link ATSSHead}s. */
  public static class Builder extends BaseBuilder<Builder, ATSSHead> {
    private Loss lossCenterness = Losses.build(DEFAULT_LOSS_CENTERNESS);

    /** A builder with this head's defaults. */
    public Builder() {
      super("ATSSHead");
      regDecodedBbox(true);
      disableSampling();
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** {@code loss_centerness}. */
    public Builder lossCenterness(Loss lossCenterness) {
      this.lossCenterness = Tensors.requireNonNull(lossCenterness, "lossCenterness");
      return this;
    }

    @Override
    public ATSSHead build() {
      return new ATSSHead(this);
    }
  }
}
