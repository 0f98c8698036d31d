package io.detkit.core.assign;

import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every assigner's golden runner shares ({@link AssignerRunner}, {@link TaskAlignedAssignerRunner}):
 * the check of the call ({@code assign}, known call keys and inputs), the optional gt labels, the
 * outputs of an {@link AssignResult} and its count invariants.
 */
final class AssignerCases {
  private AssignerCases() {}

  /**
   * The call of {@code c}, checked to be {@code assign} with only {@code callKeys} and
   * {@code inputs}.
   *
   * @throws UnsupportedCaseException naming the unknown method, call key or input
   */
  static Config assignCall(GoldenCase c, Set<String> callKeys, Set<String> inputs) {
    if (!c.method().equals("assign")) {
      throw new UnsupportedCaseException(c.id() + ": unknown call method '" + c.method() + "'");
    }
    Config call = c.call();
    for (String key : call.keys()) {
      if (!callKeys.contains(key)) {
        throw new UnsupportedCaseException(c.id() + ": unknown call key '" + key + "'");
      }
    }
    for (String name : c.inputNames()) {
      if (!inputs.contains(name)) {
        throw new UnsupportedCaseException(c.id() + ": unknown input '" + name + "'");
      }
    }
    return call;
  }

  /** The gt labels of {@code c} when the call passes them ({@code gt_labels_given}), else null. */
  static INDArray labels(GoldenCase c) {
    return c.call().getBoolean("gt_labels_given", c.hasInput("gt_labels")) ? c.input("gt_labels") : null;
  }

  /**
   * Puts output {@code name} of the assign result {@code r} into {@code out} if it is one
   * ({@code num_gts}, {@code gt_inds}, {@code max_overlaps}, {@code labels}).
   *
   * @return whether {@code name} was one of them
   */
  static boolean putResultOutput(CaseOutputs out, String name, AssignResult r, DataType type) {
    switch (name) {
      case "num_gts" -> out.output(name, r.numGts());
      case "gt_inds" -> out.output(name, r.gtIndsArray());
      case "max_overlaps" -> out.output(name, r.maxOverlapsArray(type));
      case "labels" -> out.output(name, r.labelsArray());
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks the case's invariants against {@code r}: {@code num_pos}, {@code num_neg},
   * {@code num_ignored}; {@code topk_boundary_tie} is informational (the candidates are compared
   * exactly through {@code aux_topk_candidate_idxs}).
   *
   * @throws AssertionError for a count that differs
   * @throws UnsupportedCaseException for an unknown invariant
   */
  static void checkInvariants(GoldenCase c, AssignResult r) {
    Config inv = c.invariants();
    for (String key : inv.keys()) {
      long actual = switch (key) {
        case "num_pos" -> r.numPositive();
        case "num_neg" -> r.numNegative();
        case "num_ignored" -> r.numIgnored();
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
