package io.detkit.heads;

import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.GoldenCase;
import io.detkit.heads.tood.TOODHead;
import io.detkit.heads.tood.TOODLoss;
import java.util.List;
import java.util.Map;

/**
 * Runs the golden cases of {@code TOODHead} in the epoch each case gives ({@code call.epoch}): the
 * anchor-head outputs through {@link HeadRunner}, plus the alignment metrics, the assigner's raw
 * metrics, the box weights and the two divisors; and {@code get_bboxes}.
 */
final class TOODHeadRunner extends HeadCaseRunner<TOODHead> {
  TOODHeadRunner() {
    super("TOODHead", TOODHead.class);
  }

  @Override
  CaseOutputs runLoss(GoldenCase c, TOODHead head, List<ImageMeta> metas, boolean summary) {
    HeadRunner.Produced p = HeadRunner.produceLoss(c, head, metas, summary);
    Map<String, Object> produced = p.outputs();
    HeadTargets t = p.targets();
    MultiLevelAnchors anchors = head.getAnchors(GFLHeadRunner.sizes(p.inputs()), metas, c.precision());
    TOODLoss d = head.lossFromTargets(p.inputs(), anchors, t).details(TOODLoss.class);
    produced.put("aux_cls_avg_factor", d.clsAvgFactor());
    produced.put("aux_bbox_avg_factor", d.bboxAvgFactor());
    for (int l = 0; l < t.numLevels(); l++) {
      produced.put("alignment_metrics_l" + l, t.extra(TOODHead.ALIGNMENT_METRICS, l).orElseThrow());
      produced.put("aux_bbox_weight_l" + l, GFLHeadRunner.vector(d.bboxWeights().get(l), c));
    }
    for (int j = 0; j < t.numImages(); j++) {
      ImageTargets it = t.image(j);
      if (it.extra(TOODHead.ASSIGN_METRICS).isEmpty()) {
        continue;  // the initial phase has no task-aligned metrics
      }
      double[] all = it.extra(TOODHead.ASSIGN_METRICS).get().data();
      int[] inside = it.insideIndices();
      double[] v = new double[inside.length];
      for (int k = 0; k < inside.length; k++) {
        v[k] = all[inside[k]];
      }
      produced.put("aux_assign_metrics_img" + j, GFLHeadRunner.vector(v, c));
    }
    return HeadRunner.select(c, produced, p.grads());
  }
}
