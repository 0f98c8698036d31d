package io.detkit.heads;

import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.anchorfree.FCOSTargets;
import io.detkit.heads.anchorfree.VFNetHead;
import io.detkit.heads.anchorfree.VFNetLoss;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs the golden loss cases of {@code VFNetHead} (both target variants) through the public anchor-free API. */
final class VFNetHeadRunner implements ComponentRunner {
  @Override
  public Set<String> components() {
    return Set.of("VFNetHead");
  }

  @Override
  public CaseOutputs run(GoldenCase c) {
    if (!c.method().equals("loss + get_targets")) {
      throw new UnsupportedCaseException(c.id() + ": unknown VFNetHead call '" + c.method() + "'");
    }
    VFNetHead head = Heads.build(c.config(), VFNetHead.class);
    List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
    HeadOutputs outs = FCOSHeadRunner.outputs(c, head.outputNames(), false);
    VFNetLoss r = head.lossWithDetails(outs, FCOSHeadRunner.groundTruths(c, metas.size()), metas);
    HeadLoss loss = r.loss();
    Map<String, Object> produced = new LinkedHashMap<>();
    for (String name : loss.names()) {
      produced.put(name, loss.sum(name));
    }
    produced.put("total_loss", loss.total());
    produced.put("aux_num_pos_avg", r.numPosAvg());
    produced.put("aux_bbox_avg_factor_ini", r.avgFactorInitial());
    produced.put("aux_bbox_avg_factor_rf", r.avgFactorRefine());
    produced.put("aux_pos_inds", Tensors.createLong(r.posInds(), r.posInds().length));
    produced.put("aux_bbox_weight_ini", Tensors.create(r.iouInitial(), c.precision(), r.iouInitial().length));
    produced.put("aux_bbox_weight_rf", Tensors.create(r.iouRefine(), c.precision(), r.iouRefine().length));
    produced.put("aux_pos_decoded_bbox_preds", r.posDecodedBboxPreds());
    produced.put("aux_pos_decoded_bbox_preds_refine", r.posDecodedBboxPredsRefine());
    produced.put("aux_pos_decoded_bbox_targets", r.posDecodedBboxTargets());
    List<int[]> sizes = new ArrayList<>();
    for (INDArray a : outs.clsScores()) {
      sizes.add(new int[] {(int) a.size(2), (int) a.size(3)});
    }
    List<double[]> points = head.points(sizes, c.precision());
    FCOSTargets t = r.targets().points();
    for (int l = 0; l < t.numLevels(); l++) {
      produced.put("points_l" + l, Tensors.create(points.get(l), c.precision(), points.get(l).length / 2, 2));
      produced.put("labels_l" + l, t.labels(l));
      produced.put("bbox_targets_l" + l, t.bboxTargets(l));
    }
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
    return FCOSHeadRunner.select(c, produced, loss.grads());
  }
}
