package io.detkit.heads;

import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.gfl.GFLHead;
import io.detkit.heads.gfl.GFLLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs the golden cases of {@code GFLHead}: the anchor-head outputs through {@link HeadRunner}, plus
 * the values GFL's loss is computed from ({@code aux_qfl_score_l*}, {@code aux_bbox_weight_l*}, the
 * positives' decoded boxes and DFL targets, the two divisors), and {@code get_bboxes}.
 */
final class GFLHeadRunner extends HeadCaseRunner<GFLHead> {
  GFLHeadRunner() {
    super("GFLHead", GFLHead.class);
  }

  @Override
  CaseOutputs runLoss(GoldenCase c, GFLHead head, List<ImageMeta> metas, boolean summary) {
    HeadRunner.Produced p = HeadRunner.produceLoss(c, head, metas, summary);
    Map<String, Object> produced = p.outputs();
    if (!summary) {
      HeadOutputs outs = p.inputs();
      HeadTargets t = p.targets();
      MultiLevelAnchors anchors = head.getAnchors(sizes(outs), metas, c.precision());
      GFLLoss d = head.lossFromTargets(outs, anchors, t).details(GFLLoss.class);
      produced.put("aux_num_total_samples", d.numTotalSamples());
      produced.put("aux_bbox_avg_factor", d.bboxAvgFactor());
      for (int l = 0; l < t.numLevels(); l++) {
        int m = d.bboxWeights().get(l).length;
        produced.put("aux_qfl_score_l" + l, vector(d.qflScores().get(l), c));
        produced.put("aux_bbox_weight_l" + l, vector(d.bboxWeights().get(l), c));
        produced.put("aux_pos_decoded_bbox_pred_l" + l, Tensors.create(d.posDecodedPreds().get(l), c.precision(), m,
            4));
        produced.put("aux_pos_decoded_bbox_target_l" + l, Tensors.create(d.posDecodedTargets().get(l),
            c.precision(), m, 4));
        produced.put("aux_dfl_target_l" + l, vector(d.dflTargets().get(l), c));
      }
    }
    return HeadRunner.select(c, produced, p.grads());
  }

  static List<int[]> sizes(HeadOutputs outs) {
    List<int[]> sizes = new ArrayList<>();
    for (INDArray a : outs.clsScores()) {
      sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
    }
    return sizes;
  }

  /** A 1-D array of {@code v} (an empty level keeps its shape {@code [0]}). */
  static INDArray vector(double[] v, GoldenCase c) {
    return Tensors.create(v, c.precision(), v.length);
  }
}
