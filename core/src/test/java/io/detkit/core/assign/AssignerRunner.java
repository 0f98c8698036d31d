package io.detkit.core.assign;

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
    if (!c.method().equals("assign")) {
      throw new UnsupportedCaseException(c.id() + ": unknown call method '" + c.method() + "'");
    }
    Config call = c.call();
    for (String key : call.keys()) {
      if (!CALL_KEYS.contains(key)) {
        throw new UnsupportedCaseException(c.id() + ": unknown call key '" + key + "'");
      }
    }
    for (String name : c.inputNames()) {
      if (!INPUTS.contains(name)) {
        throw new UnsupportedCaseException(c.id() + ": unknown input '" + name + "'");
      }
    }
    int[] levels = call.isNull("num_level_bboxes") ? null : call.getIntArray("num_level_bboxes");
    INDArray bboxes = c.input("bboxes");
    INDArray gt = c.input("gt_bboxes");
    INDArray ignore = call.getBoolean("gt_bboxes_ignore_given", c.hasInput("gt_bboxes_ignore"))
        ? c.input("gt_bboxes_ignore") : null;
    INDArray labels = call.getBoolean("gt_labels_given", c.hasInput("gt_labels")) ? c.input("gt_labels") : null;
    INDArray cls = c.optionalInput("cls_scores").orElse(null);
    INDArray preds = c.optionalInput("bbox_preds").orElse(null);

    BaseAssigner assigner = Assigners.REGISTRY.build(config(c));
    AssignResult result;
    if (assigner instanceof ATSSAssigner atss) {
      result = atss.assign(bboxes, levels, gt, ignore, labels, cls, preds);
    } else {
      if (cls != null || preds != null) {
        throw new UnsupportedCaseException(c.id() + ": cls_scores/bbox_preds given to " + c.component());
      }
      result = assigner.assign(bboxes, levels, gt, ignore, labels);
    }
    checkInvariants(c, result);

    DataType type = c.precision();
    CaseOutputs out = new CaseOutputs();
    for (String name : c.expectedOutputs().keySet()) {
      switch (name) {
        case "num_gts" -> out.output(name, result.numGts());
        case "gt_inds" -> out.output(name, result.gtIndsArray());
        case "max_overlaps" -> out.output(name, result.maxOverlapsArray(type));
        case "labels" -> out.output(name, result.labelsArray());
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
    MaxIoUAssigner plain = MaxIoUAssigner.builder().posIouThr(0.5).negIouThr(0.5).build();
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

  private static void checkInvariants(GoldenCase c, AssignResult r) {
    Config inv = c.invariants();
    for (String key : inv.keys()) {
      switch (key) {
        case "num_pos" -> expect(c, key, inv.getLong(key), r.numPositive());
        case "num_neg" -> expect(c, key, inv.getLong(key), r.numNegative());
        case "num_ignored" -> expect(c, key, inv.getLong(key), r.numIgnored());
        case "topk_boundary_tie" -> {
          // Informational: the candidates are compared exactly through aux_topk_candidate_idxs.
          inv.getBoolean(key);
        }
        default -> throw new UnsupportedCaseException(c.id() + ": unknown invariant '" + key + "'");
      }
    }
  }

  private static void expect(GoldenCase c, String key, long expected, long actual) {
    if (expected != actual) {
      throw new AssertionError(c.id() + " [" + c.precision() + "]: invariant " + key + " expected " + expected
          + ", got " + actual);
    }
  }
}
