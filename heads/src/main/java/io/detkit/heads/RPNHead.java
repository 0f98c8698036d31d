package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.order.Argsort;
import io.detkit.core.precision.Precision;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MMDetection 2.x's {@code RPNHead}: a class-agnostic {@link AnchorHead} ({@code num_classes=1})
 * whose loss ignores gt labels (positives get label 0, the background is 1) and reports
 * {@code loss_rpn_cls} / {@code loss_rpn_bbox}. RPN usually samples (RandomSampler), so its losses
 * average over positives plus negatives.
 *
 * <p>Its {@link #predict} is MMDetection's proposal generation: per level the top {@code nms_pre}
 * scores (all when {@code nms_pre <= 0}), decoding clipped to the image, removal of proposals whose
 * width or height is not above {@code min_bbox_size}, NMS with levels kept apart, the first
 * {@code max_per_img}. Detections have label 0; {@code rescale} is ignored, as MMDetection's RPN
 * returns proposals in the network input's coordinates.
 *
 * <p>Thread-safety, randomness and errors as {@link AnchorHead}.
 */
public class RPNHead extends AnchorHead {
  /** Builds the head a builder describes. @throws IllegalArgumentException unless num_classes is 1 */
  protected RPNHead(HeadBuilder<?, ?> b) {
    super(b);
    if (numClasses() != 1) {
      throw new IllegalArgumentException("RPNHead is class-agnostic: num_classes must be 1; got " + numClasses());
    }
  }

  /**
   * Builds from an MMDetection config dict ({@code type='RPNHead'}): the keys of
   * {@link HeadBuilder#fromConfig} except {@code num_classes} (always 1); {@code num_convs} is
   * accepted and ignored.
   *
   * @throws ConfigException naming the key for an invalid or unknown parameter (including
   *     {@code num_classes})
   */
  public static RPNHead fromConfig(Config c) {
    return new Builder().fromConfig(c);
  }

  @Override
  protected String clsLossName() {
    return "loss_rpn_cls";
  }

  @Override
  protected String bboxLossName() {
    return "loss_rpn_bbox";
  }

  /** The loss with the ground truths' labels dropped, as MMDetection's RPN passes {@code gt_labels=None}. */
  @Override
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch) {
    List<GroundTruth> noLabels = null;
    if (gts != null) {
      noLabels = new ArrayList<>(gts.size());
      for (GroundTruth g : gts) {
        noLabels.add(g == null ? null : g.withoutLabels());
      }
    }
    return super.loss(outputs, noLabels, metas, epoch);
  }

  /**
   * MMDetection's RPN proposal step for one image (see the class comment): per level the top
   * {@code nms_pre} anchors, decoded, then {@link #postProcess}.
   */
  @Override
  protected Detections predictSingle(Predictor.ImageOutputs out, MultiLevelAnchors anchors, ImageMeta meta,
      TestConfig cfg, boolean rescale, boolean withNms) {
    Precision p = Precision.of(anchors.dataType());
    List<double[]> levelAnchors = new ArrayList<>();
    List<double[]> levelDeltas = new ArrayList<>();
    List<double[]> levelScores = new ArrayList<>();
    List<int[]> levelIds = new ArrayList<>();
    for (int l = 0; l < anchors.numLevels(); l++) {
      int a = numBaseAnchors(l);
      int n = anchors.numAnchors(l);
      double[] cls = out.rows(HeadOutputs.CLS_SCORES, l, a);
      double[] deltas = out.rows(HeadOutputs.BBOX_PREDS, l, a);
      double[] scores = new double[n];
      for (int i = 0; i < n; i++) {
        scores[i] = useSigmoidCls() ? p.sigmoid(cls[i]) : softmaxFirst(cls[i * 2], cls[i * 2 + 1], p);
      }
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      int keep = n;
      if (cfg.nmsPre() > 0 && cfg.nmsPre() < n) {
        Argsort.sortDescending(order, 0, n, scores);
        keep = cfg.nmsPre();
      }
      double[] all = anchors.anchorData(l);
      double[] ka = new double[keep * 4];
      double[] kd = new double[keep * 4];
      double[] ks = new double[keep];
      for (int k = 0; k < keep; k++) {
        System.arraycopy(all, order[k] * 4, ka, k * 4, 4);
        System.arraycopy(deltas, order[k] * 4, kd, k * 4, 4);
        ks[k] = scores[order[k]];
      }
      levelAnchors.add(ka);
      levelDeltas.add(kd);
      levelScores.add(ks);
      int[] ids = new int[keep];
      java.util.Arrays.fill(ids, l);
      levelIds.add(ids);
    }
    double[] scores = Predictor.concat(levelScores);
    double[] proposals = predictor().decode(Predictor.concat(levelAnchors), Predictor.concat(levelDeltas),
        meta.imgShape().toArray(), p);
    return postProcess(new Predictor.Candidates(proposals, scores, new int[scores.length],
        Predictor.concatInts(levelIds)), meta, cfg, rescale, withNms, anchors.dataType());
  }

  /**
   * RPN's post-processing: proposals whose width or height is not above {@code min_bbox_size}
   * removed, then NMS with levels kept apart and the first {@code max_per_img}; never rescaled.
   * Without NMS the proposals that survive the size filter come back in level order (MMDetection's
   * RPN always runs NMS; detkit honours {@code withNms=false}).
   */
  @Override
  protected Detections postProcess(Predictor.Candidates c, ImageMeta meta, TestConfig cfg, boolean rescale,
      boolean withNms, DataType dtype) {
    Precision p = Precision.of(dtype);
    double[] proposals = c.boxes();
    double[] scores = c.scores();
    int[] ids = c.groups();
    if (cfg.minBboxSize() >= 0) {
      int m = 0;
      proposals = proposals.clone();
      scores = scores.clone();
      ids = ids.clone();
      for (int i = 0; i < scores.length; i++) {
        double w = p.round(proposals[i * 4 + 2] - proposals[i * 4]);
        double h = p.round(proposals[i * 4 + 3] - proposals[i * 4 + 1]);
        if (w > cfg.minBboxSize() && h > cfg.minBboxSize()) {
          System.arraycopy(proposals, i * 4, proposals, m * 4, 4);
          scores[m] = scores[i];
          ids[m] = ids[i];
          m++;
        }
      }
      proposals = java.util.Arrays.copyOf(proposals, m * 4);
      scores = java.util.Arrays.copyOf(scores, m);
      ids = java.util.Arrays.copyOf(ids, m);
    }
    return super.postProcess(new Predictor.Candidates(proposals, scores, new int[scores.length], ids), meta, cfg,
        false, withNms, dtype);
  }

  private static double softmaxFirst(double fg, double bg, Precision p) {
    double m = Math.max(fg, bg);
    double ef = Math.exp(fg - m);
    return p.round(ef / (ef + Math.exp(bg - m)));
  }

  /** Builder of {@link RPNHead}s. */
  public static final class Builder extends HeadBuilder<Builder, RPNHead> {
    /** A builder with this head's defaults ({@code num_classes=1}, {@code num_convs} ignored). */
    public Builder() {
      super(RPNHead.class, RPNHead::new);
      params(p -> p.withNumClasses(1));
      ignoreKeys("num_convs");
    }
  }
}
