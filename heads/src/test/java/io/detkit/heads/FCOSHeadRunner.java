package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.anchorfree.AnchorFreeHead;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.anchorfree.FCOSLoss;
import io.detkit.heads.anchorfree.FCOSTargets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the golden cases of {@code FCOSHead} through the public anchor-free API only: the loss cases
 * (targets, losses, the loss's intermediate values, gradients), the summary case on generated
 * outputs, and {@code get_bboxes}.
 */
final class FCOSHeadRunner extends HeadCaseRunner<FCOSHead> {
  FCOSHeadRunner() {
    super("FCOSHead", FCOSHead.class);
  }

  /** The ground truths of the case's images; ignored boxes only where the call passed them. */
  static List<GroundTruth> groundTruths(GoldenCase c, int numImages) {
    boolean ignoreGiven = c.call().getBoolean("gt_bboxes_ignore_given", false);
    List<GroundTruth> gts = new ArrayList<>();
    for (int j = 0; j < numImages; j++) {
      INDArray ignore = ignoreGiven && c.hasInput("gt_bboxes_ignore_img" + j) ? c.input("gt_bboxes_ignore_img" + j)
          : null;
      gts.add(GroundTruth.of(c.input("gt_bboxes_img" + j), c.input("gt_labels_img" + j), ignore));
    }
    return gts;
  }

  @Override
  CaseOutputs runLoss(GoldenCase c, FCOSHead head, List<ImageMeta> metas, boolean summary) {
    HeadOutputs outs = HeadRunner.outputs(c, head, summary);
    HeadLoss loss = head.loss(outs, groundTruths(c, metas.size()), metas);
    FCOSLoss r = loss.details(FCOSLoss.class);
    FCOSTargets t = r.targets();
    Map<String, Object> produced = pointLossOutputs(c, head, outs, loss, t);
    produced.put("aux_num_pos", r.numPos());
    produced.put("aux_centerness_denorm", r.centernessDenorm());
    produced.put("aux_pos_inds", Tensors.createLong(r.posInds(), r.posInds().length));
    produced.put("centerness_targets", Tensors.create(r.centernessTargets(), c.precision(),
        r.centernessTargets().length));
    produced.put("aux_pos_decoded_bbox_preds", r.posDecodedBboxPreds());
    produced.put("aux_pos_decoded_bbox_targets", r.posDecodedBboxTargets());
    int levels = t.numLevels();
    double[] posPerLevel = new double[levels];
    double[] absPerLevel = new double[levels];
    for (int l = 0; l < levels; l++) {
      for (int v : t.labelsData(l)) {
        posPerLevel[l] += v >= 0 && v < head.numClasses() ? 1 : 0;
      }
      for (double v : t.bboxTargetsData(l)) {
        absPerLevel[l] += Math.abs(v);
      }
    }
    double[] perImage = new double[t.numImages()];
    for (int j = 0; j < perImage.length; j++) {
      perImage[j] = t.numPositive(j, head.numClasses());
    }
    double ctrSum = 0;
    for (double v : r.centernessTargets()) {
      ctrSum += v;
    }
    produced.put("num_pos_assigned_per_img", perImage);
    produced.put("num_pos_per_level", posPerLevel);
    produced.put("bbox_target_abs_sum_per_level", absPerLevel);
    produced.put("centerness_target_sum", ctrSum);
    checkCounts(c, head.numClasses(), r.posInds().length);
    if (summary) {
      HeadRunner.checkGradStats(c, loss.grads());
    }
    return HeadRunner.select(c, produced, loss.grads());
  }

  /**
   * What every point-head loss case produces: each loss's sum, {@code total_loss}, and per level the
   * points ({@code points_l<l>}), labels and box targets.
   */
  static Map<String, Object> pointLossOutputs(GoldenCase c, AnchorFreeHead head, HeadOutputs outs, HeadLoss loss,
      FCOSTargets t) {
    Map<String, Object> produced = new LinkedHashMap<>();
    for (String name : loss.names()) {
      produced.put(name, loss.sum(name));
    }
    produced.put("total_loss", loss.total());
    List<int[]> sizes = new ArrayList<>();
    for (INDArray a : outs.clsScores()) {
      sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
    }
    List<double[]> points = head.points(sizes, c.precision());
    for (int l = 0; l < t.numLevels(); l++) {
      produced.put("points_l" + l, Tensors.create(points.get(l), c.precision(), points.get(l).length / 2, 2));
      produced.put("labels_l" + l, t.labels(l));
      produced.put("bbox_targets_l" + l, t.bboxTargets(l));
    }
    return produced;
  }

  /** The count invariants of a point-head loss case ({@code grad_stats_*} are checked elsewhere). */
  static void checkCounts(GoldenCase c, int numClasses, int numPos) {
    Config inv = c.invariants();
    for (String key : inv.keys()) {
      if (key.startsWith("grad_stats_")) {
        continue;
      }
      long actual = switch (key) {
        case "cls_out_channels" -> numClasses;
        case "num_pos" -> numPos;
        default -> throw new UnsupportedCaseException(c.id() + ": unknown invariant '" + key + "'");
      };
      if (actual != inv.getLong(key)) {
        throw new AssertionError(c.id() + ": invariant " + key + " expected " + inv.getLong(key) + ", got " + actual);
      }
    }
  }

  @Override
  CaseOutputs runGetBboxes(GoldenCase c, FCOSHead head, List<ImageMeta> metas) {
    Config call = c.call();
    String factors = call.getString("score_factors", null);
    if (factors != null && !factors.equals(head.scoreFactorName())) {
      throw new UnsupportedCaseException(c.id() + ": score_factors '" + factors + "' but FCOSHead uses "
          + head.scoreFactorName());
    }
    return HeadRunner.predictCase(c, head, HeadRunner.outputs(c, head, false), metas);
  }
}
