package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.List;
import java.util.Set;

/**
 * What the classification and regression conformance runners share about a golden case's
 * {@code forward} call: the keys a call may have, its scalar options, and the outputs (the loss
 * and its gradient with respect to the prediction). Anything a case asks for beyond that throws
 * {@link UnsupportedCaseException}, which fails the case.
 */
final class GoldenLossCalls {
  private static final Set<String> CALL_KEYS =
      Set.of("method", "positional", "tensor_kwargs", "avg_factor", "reduction_override");

  private GoldenLossCalls() {}

  /** The {@code positional} input names of a {@code forward} call, the prediction first. */
  static List<Object> positional(GoldenCase c) {
    if (!"forward".equals(c.method())) {
      throw new UnsupportedCaseException(c.id() + ": unknown method '" + c.method() + "'");
    }
    requireKnownKeys(c, c.call(), CALL_KEYS);
    List<Object> positional = c.call().getList("positional");
    if (positional.isEmpty()) {
      throw new UnsupportedCaseException(c.id() + ": no positional inputs");
    }
    return positional;
  }

  /** {@code args} with the call's {@code avg_factor} and {@code reduction_override}, where given. */
  static LossArgs withScalarOptions(LossArgs args, Config call) {
    if (!call.isNull("avg_factor")) {
      args = args.avgFactor(call.getDouble("avg_factor"));
    }
    if (!call.isNull("reduction_override")) {
      args = args.reductionOverride(Reduction.parse(call.getString("reduction_override")));
    }
    return args;
  }

  /** The case's expected outputs from {@code result}: {@code loss}, and gradients with respect to {@code predName} only. */
  static CaseOutputs outputs(GoldenCase c, LossResult result, String predName) {
    CaseOutputs out = new CaseOutputs();
    for (String name : c.expectedOutputs().keySet()) {
      if (!name.equals("loss")) {
        throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
      }
      out.output("loss", result.value());
    }
    for (String name : c.expectedGrads().keySet()) {
      if (!name.equals(predName)) {
        throw new UnsupportedCaseException(c.id() + ": gradient w.r.t. '" + name + "' is not computed (only "
            + predName + ")");
      }
      out.grad(name, result.gradPred());
    }
    return out;
  }

  static void requireKnownKeys(GoldenCase c, Config call, Set<String> known) {
    for (String k : call.keys()) {
      if (!known.contains(k)) {
        throw new UnsupportedCaseException(c.id() + ": unknown call key '" + k + "' in " + call);
      }
    }
  }
}
