package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.ConformanceSuite;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs MMDetection's golden cases of the regression and IoU-family losses: the loss is built from
 * the case's config through {@link Losses#build}, called as the case's {@code call} describes
 * (positional inputs, tensor keyword arguments, {@code avg_factor}, {@code reduction_override}),
 * and its value and gradient with respect to {@code pred} compared in float32 and float64.
 */
class RegressionLossConformanceTest {
  static final Set<String> COMPONENTS = Set.of("SmoothL1Loss", "L1Loss", "BalancedL1Loss", "MSELoss", "GHMR",
      "IoULoss", "GIoULoss", "DIoULoss", "CIoULoss", "BoundedIoULoss");

  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new Runner());
  }

  static final class Runner implements ComponentRunner {
    private static final Set<String> CALL_KEYS = Set.of("method", "positional", "tensor_kwargs", "avg_factor",
        "reduction_override");

    @Override
    public Set<String> components() {
      return COMPONENTS;
    }

    @Override
    public CaseOutputs run(GoldenCase c) {
      Config call = c.call();
      if (!"forward".equals(c.method())) {
        throw new UnsupportedCaseException(c.id() + ": unknown method '" + c.method() + "'");
      }
      for (String key : call.keys()) {
        if (!CALL_KEYS.contains(key)) {
          throw new UnsupportedCaseException(c.id() + ": unknown call key '" + key + "'");
        }
      }
      List<Object> positional = call.getList("positional");
      if (positional.isEmpty()) {
        throw new UnsupportedCaseException(c.id() + ": no positional inputs");
      }
      INDArray pred = c.input((String) positional.get(0));
      List<INDArray> targets = new ArrayList<>();
      for (int i = 1; i < positional.size(); i++) {
        targets.add(c.input((String) positional.get(i)));
      }
      INDArray weight = null;
      for (Object kw : call.has("tensor_kwargs") ? call.getList("tensor_kwargs") : List.of()) {
        if ("weight".equals(kw)) {
          weight = c.input("weight");
        } else if ("label_weight".equals(kw)) {
          // GHMR's third parameter, given by keyword: MMDetection's order puts it after target.
          targets.add(c.input("label_weight"));
        } else {
          throw new UnsupportedCaseException(c.id() + ": unknown tensor keyword '" + kw + "'");
        }
      }
      LossArgs args = LossArgs.of(pred, targets.toArray(new INDArray[0])).weight(weight);
      if (!call.isNull("avg_factor")) {
        args = args.avgFactor(call.getDouble("avg_factor"));
      }
      if (!call.isNull("reduction_override")) {
        args = args.reductionOverride(Reduction.parse(call.getString("reduction_override")));
      }

      Loss loss = Losses.build(c.config());
      LossResult result = loss.forward(args);

      CaseOutputs out = new CaseOutputs();
      for (String name : c.expectedOutputs().keySet()) {
        if (!name.equals("loss")) {
          throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
        }
        out.output("loss", result.value());
      }
      if (!c.expectedGrads().isEmpty()) {
        String of = c.gradOf().orElse("loss");
        if (!of.equals("loss") && !of.equals("loss.sum()")) {
          throw new UnsupportedCaseException(c.id() + ": gradients of '" + of + "'");
        }
        for (String input : c.expectedGrads().keySet()) {
          if (!input.equals(positional.get(0))) {
            throw new UnsupportedCaseException(c.id() + ": gradient with respect to '" + input + "'");
          }
          out.grad(input, result.gradPred());
        }
      }
      return out;
    }
  }
}
