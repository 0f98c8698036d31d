package io.detkit.core.assign;

import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Golden runner for {@code TaskAlignedAssigner}: builds it from the case config, calls
 * {@code assign} with the call's {@code alpha}/{@code beta} and returns the assign result, the
 * {@code assign_metrics} and the auxiliary metric matrix and top-k candidates.
 */
final class TaskAlignedAssignerRunner implements ComponentRunner {
  private static final Set<String> CALL_KEYS =
      Set.of("method", "alpha", "beta", "gt_bboxes_ignore_given", "gt_labels_given");
  private static final Set<String> INPUTS =
      Set.of("pred_scores", "decode_bboxes", "anchors", "gt_bboxes", "gt_bboxes_ignore", "gt_labels");

  @Override
  public Set<String> components() {
    return Set.of("TaskAlignedAssigner");
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
    INDArray labels = call.getBoolean("gt_labels_given", c.hasInput("gt_labels")) ? c.input("gt_labels") : null;
    TaskAlignedAssigner assigner = (TaskAlignedAssigner) Assigners.REGISTRY.build(c.config());
    // gt_bboxes_ignore, when the case gives it, has no effect in MMDetection: it is not passed on.
    TaskAlignedAssignResult r = assigner.assign(c.input("pred_scores"), c.input("decode_bboxes"), c.input("anchors"),
        c.input("gt_bboxes"), labels, call.getDouble("alpha", 1), call.getDouble("beta", 6));
    AssignResult result = r.assignResult();
    checkInvariants(c, result);
    CaseOutputs out = new CaseOutputs();
    for (String name : c.expectedOutputs().keySet()) {
      switch (name) {
        case "num_gts" -> out.output(name, result.numGts());
        case "gt_inds" -> out.output(name, result.gtIndsArray());
        case "max_overlaps" -> out.output(name, result.maxOverlapsArray(c.precision()));
        case "labels" -> out.output(name, result.labelsArray());
        case "assign_metrics" -> out.output(name, r.assignMetricsArray(c.precision()));
        case "aux_alignment_metrics" -> out.output(name, r.alignmentMetricsArray(c.precision()));
        case "aux_topk_candidate_idxs" -> out.output(name, r.candidatesArray());
        default -> throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
      }
    }
    return out;
  }

  private static void checkInvariants(GoldenCase c, AssignResult r) {
    Config inv = c.invariants();
    for (String key : inv.keys()) {
      long actual = switch (key) {
        case "num_pos" -> r.numPositive();
        case "num_neg" -> r.numNegative();
        case "num_ignored" -> r.numIgnored();
        // Informational: the candidates are compared exactly through aux_topk_candidate_idxs.
        case "topk_boundary_tie" -> -1;
        default -> throw new UnsupportedCaseException(c.id() + ": unknown invariant '" + key + "'");
      };
      if (actual >= 0 && inv.getLong(key) != actual) {
        throw new AssertionError(c.id() + " [" + c.precision() + "]: invariant " + key + " expected "
            + inv.getLong(key) + ", got " + actual);
      }
    }
  }
}
