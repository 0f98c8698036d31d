package io.detkit.heads;

import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.anchorfree.VFNetHead;
import io.detkit.heads.anchorfree.VFNetLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the golden loss cases of {@code VFNetHead} (both target variants) through the public anchor-free API. */
final class VFNetHeadRunner extends HeadCaseRunner<VFNetHead> {
  VFNetHeadRunner() {
    super("VFNetHead", VFNetHead.class);
  }

  @Override
  CaseOutputs runLoss(GoldenCase c, VFNetHead head, List<ImageMeta> metas, boolean summary) {
    if (summary) {
      throw new UnsupportedCaseException(c.id() + ": no summary cases for VFNetHead");
    }
    HeadOutputs outs = HeadRunner.outputs(c, head, false);
    HeadLoss loss = head.loss(outs, FCOSHeadRunner.groundTruths(c, metas.size()), metas);
    VFNetLoss r = loss.details(VFNetLoss.class);
    Map<String, Object> produced = FCOSHeadRunner.pointLossOutputs(c, head, outs, loss, r.targets().points());
    produced.put("aux_num_pos_avg", r.numPosAvg());
    produced.put("aux_bbox_avg_factor_ini", r.avgFactorInitial());
    produced.put("aux_bbox_avg_factor_rf", r.avgFactorRefine());
    produced.put("aux_pos_inds", Tensors.createLong(r.posInds(), r.posInds().length));
    produced.put("aux_bbox_weight_ini", Tensors.create(r.iouInitial(), c.precision(), r.iouInitial().length));
    produced.put("aux_bbox_weight_rf", Tensors.create(r.iouRefine(), c.precision(), r.iouRefine().length));
    produced.put("aux_pos_decoded_bbox_preds", r.posDecodedBboxPreds());
    produced.put("aux_pos_decoded_bbox_preds_refine", r.posDecodedBboxPredsRefine());
    produced.put("aux_pos_decoded_bbox_targets", r.posDecodedBboxTargets());
    r.targets().atssTargets().ifPresent(a -> {
      List<Double> lw = new ArrayList<>();
      List<Double> bw = new ArrayList<>();
      for (int l = 0; l < a.numLevels(); l++) {
        for (double v : a.labelWeightsData(l)) {
          lw.add(v);
        }
        for (double v : Tensors.toDoubles(a.bboxWeights(l))) {
          bw.add(v);
        }
      }
      produced.put("label_weights", lw.stream().mapToDouble(Double::doubleValue).toArray());
      produced.put("bbox_weights", bw.stream().mapToDouble(Double::doubleValue).toArray());
      for (int j = 0; j < a.numImages(); j++) {
        produced.put("aux_assigned_gt_inds_img" + j, Tensors.createLong(a.image(j).assignResult().gtInds(),
            a.image(j).assignResult().size()));
        produced.put("aux_assign_max_overlaps_img" + j, a.image(j).assignResult().maxOverlapsArray(c.precision()));
      }
    });
    FCOSHeadRunner.checkCounts(c, head.numClasses(), r.posInds().length);
    return HeadRunner.select(c, produced, loss.grads());
  }
}
