package io.detkit.core.assign;

import io.detkit.core.CoreRegistries;
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
    Config call = AssignerCases.assignCall(c, CALL_KEYS, INPUTS);
    INDArray labels = AssignerCases.labels(c);
    TaskAlignedAssigner assigner = (TaskAlignedAssigner) CoreRegistries.BBOX_ASSIGNERS.build(c.config());
    // gt_bboxes_ignore, when the case gives it, has no effect in MMDetection: it is not passed on.
    TaskAlignedAssignResult r = assigner.assign(c.input("pred_scores"), c.input("decode_bboxes"), c.input("anchors"),
        c.input("gt_bboxes"), labels, call.getDouble("alpha", 1), call.getDouble("beta", 6));
    AssignResult result = r.assignResult();
    AssignerCases.checkInvariants(c, result);
    CaseOutputs out = new CaseOutputs();
    for (String name : c.expectedOutputs().keySet()) {
      if (AssignerCases.putResultOutput(out, name, result, c.precision())) {
        continue;
      }
      switch (name) {
        case "assign_metrics" -> out.output(name, r.assignMetricsArray(c.precision()));
        case "aux_alignment_metrics" -> out.output(name, r.alignmentMetricsArray(c.precision()));
        case "aux_topk_candidate_idxs" -> out.output(name, r.candidatesArray());
        default -> throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
      }
    }
    return out;
  }
}
