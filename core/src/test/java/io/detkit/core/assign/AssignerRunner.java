package io.detkit.core.assign;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Golden runner for {@code MaxIoUAssigner} and {@code ATSSAssigner}: builds the assigner from the
 * case's {@code config_repr} (tuples matter for {@code neg_iou_thr}), calls {@code assign} and
 * returns the assign result plus the auxiliary overlap matrix / topk candidates.
 */
final class AssignerRunner implements ComponentRunner {
  private static final Set<String> CALL_KEYS =
      Set.of("method", "num_level_bboxes", "gt_bboxes_ignore_given", "gt_labels_given");
  private static final Set<String> INPUTS =
      Set.of("bboxes", "gt_bboxes", "gt_bboxes_ignore", "gt_labels", "cls_scores", "bbox_preds");

  @Override
  public Set<String> components() {
    return Set.of("MaxIoUAssigner", "ATSSAssigner");
  }

  static Config config(GoldenCase c) {
    return c.config();
  }

  @Override
  public CaseOutputs run(GoldenCase c) {
    Config call = AssignerCases.assignCall(c, CALL_KEYS, INPUTS);
    int[] levels = call.isNull("num_level_bboxes") ? null : call.getIntArray("num_level_bboxes");
    INDArray bboxes = c.input("bboxes");
    INDArray gt = c.input("gt_bboxes");
    INDArray ignore = call.getBoolean("gt_bboxes_ignore_given", c.hasInput("gt_bboxes_ignore"))
        ? c.input("gt_bboxes_ignore") : null;
    INDArray labels = AssignerCases.labels(c);
    INDArray cls = c.optionalInput("cls_scores").orElse(null);
    INDArray preds = c.optionalInput("bbox_preds").orElse(null);

    BaseAssigner assigner = CoreRegistries.BBOX_ASSIGNERS.build(config(c));
    AssignResult result;
    if (assigner instanceof ATSSAssigner atss) {
      result = atss.assign(bboxes, levels, gt, ignore, labels, cls, preds);
    } else {
      if (cls != null || preds != null) {
        throw new UnsupportedCaseException(c.id() + ": cls_scores/bbox_preds given to " + c.component());
      }
      result = assigner.assign(bboxes, levels, gt, ignore, labels);
    }
    AssignerCases.checkInvariants(c, result);

    DataType type = c.precision();
    CaseOutputs out = new CaseOutputs();
    for (String name : c.expectedOutputs().keySet()) {
      if (AssignerCases.putResultOutput(out, name, result, type)) {
        continue;
      }
      switch (name) {
        case "aux_overlaps_gt_x_bboxes" -> out.output(name, rawOverlaps(bboxes, gt, type));
        case "aux_topk_candidate_idxs" -> out.output(name, candidates((ATSSAssigner) assigner, bboxes, levels, gt,
            ignore, type));
        default -> throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
      }
    }
    return out;
  }

  /** IoU of every gt with every prior, {@code [K,N]}, before ignore masking (what the oracle stores). */
  private static INDArray rawOverlaps(INDArray bboxes, INDArray gt, DataType type) {
    MaxIoUAssigner plain = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.5));
    int n = (int) bboxes.size(0);
    int k = (int) gt.size(0);
    if (type == DataType.DOUBLE) {
      double[] ov = plain.overlaps(BoxArgs.doubles(bboxes, "bboxes"), BoxArgs.doubles(gt, "gt_bboxes"), null);
      return Tensors.create(ov, DataType.DOUBLE, k, n);
    }
    float[] ov = plain.overlaps(BoxArgs.floats(bboxes, "bboxes"), BoxArgs.floats(gt, "gt_bboxes"), null);
    return Tensors.create(ov, DataType.FLOAT, k, n);
  }

  private static INDArray candidates(ATSSAssigner atss, INDArray bboxes, int[] levels, INDArray gt, INDArray ignore,
      DataType type) {
    int k = (int) gt.size(0);
    int[] cand;
    if (type == DataType.DOUBLE) {
      cand = atss.topkCandidates(BoxArgs.doubles(bboxes, "bboxes"), levels, BoxArgs.doubles(gt, "gt_bboxes"),
          ignore == null ? null : BoxArgs.doubles(ignore, "gt_bboxes_ignore"));
    } else {
      cand = atss.topkCandidates(BoxArgs.floats(bboxes, "bboxes"), levels, BoxArgs.floats(gt, "gt_bboxes"),
          ignore == null ? null : BoxArgs.floats(ignore, "gt_bboxes_ignore"));
    }
    return Tensors.createLong(cand, k == 0 ? 0 : cand.length / k, k);
  }
}
