package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.ConformanceSuite;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every golden case of the classification losses and of {@code weight_reduce_loss}, in f32 and f64. */
class ClassificationLossConformanceTest {

  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new Runner());
  }

  /** Maps a case's call ({@code positional}, {@code tensor_kwargs}, scalar keys) onto {@link LossArgs}. */
  static final class Runner implements ComponentRunner {
    private static final Set<String> LOSS_CALL_KEYS =
        Set.of("method", "positional", "tensor_kwargs", "avg_factor", "reduction_override");
    private static final Set<String> WRL_CALL_KEYS = Set.of("method", "reduction", "avg_factor");

    @Override
    public Set<String> components() {
      return Set.of("FocalLoss", "CrossEntropyLoss", "GHMC", "QualityFocalLoss", "DistributionFocalLoss",
          "VarifocalLoss", "GaussianFocalLoss", "weight_reduce_loss");
    }

    @Override
    public CaseOutputs run(GoldenCase c) {
      if (c.component().equals("weight_reduce_loss")) {
        return weightReduceLoss(c);
      }
      if (!c.method().equals("forward")) {
        throw new UnsupportedCaseException(c.id() + ": unknown method '" + c.method() + "'");
      }
      Config call = c.call();
      requireKnownKeys(c, call, LOSS_CALL_KEYS);
      List<Object> positional = call.getList("positional");
      if (positional.isEmpty()) {
        throw new UnsupportedCaseException(c.id() + ": no positional inputs");
      }
      String predName = (String) positional.get(0);
      INDArray pred = c.input(predName);
      List<INDArray> targets = new ArrayList<>();
      for (Object o : positional.subList(1, positional.size())) {
        targets.addAll(positionalInput(c, (String) o));
      }
      LossArgs args = LossArgs.of(pred, targets.toArray(new INDArray[0]));
      for (Object o : call.getList("tensor_kwargs")) {
        if (!"weight".equals(o)) {
          throw new UnsupportedCaseException(c.id() + ": unknown tensor kwarg '" + o + "'");
        }
        args = args.weight(c.input("weight"));
      }
      if (!call.isNull("avg_factor")) {
        args = args.avgFactor(call.getDouble("avg_factor"));
      }
      if (!call.isNull("reduction_override")) {
        args = args.reductionOverride(Reduction.parse(call.getString("reduction_override")));
      }
      // A fresh instance per case: GHMC's momentum statistics must start at 0.
      Loss loss = Losses.build(c.config());
      LossResult result = loss.forward(args);
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

    /** An input by name, or a tuple stored as {@code name[0]}, {@code name[1]}, ... */
    private static List<INDArray> positionalInput(GoldenCase c, String name) {
      if (c.hasInput(name)) {
        return List.of(c.input(name));
      }
      List<INDArray> parts = new ArrayList<>();
      for (int i = 0; c.hasInput(name + "[" + i + "]"); i++) {
        parts.add(c.input(name + "[" + i + "]"));
      }
      if (parts.isEmpty()) {
        throw new UnsupportedCaseException(c.id() + ": no input '" + name + "'; inputs: " + c.inputNames());
      }
      return parts;
    }

    private static CaseOutputs weightReduceLoss(GoldenCase c) {
      if (!c.method().equals("weight_reduce_loss")) {
        throw new UnsupportedCaseException(c.id() + ": unknown method '" + c.method() + "'");
      }
      Config call = c.call();
      requireKnownKeys(c, call, WRL_CALL_KEYS);
      INDArray lossIn = c.input("loss");
      long[] shape = lossIn.shape();
      double[] weight = c.hasInput("weight") ? WeightReduce.broadcast(c.input("weight"), shape, "weight") : null;
      for (String name : c.inputNames()) {
        if (!name.equals("loss") && !name.equals("weight")) {
          throw new UnsupportedCaseException(c.id() + ": unknown input '" + name + "'");
        }
      }
      Reduction r = Reduction.parse(call.getString("reduction", "mean"));
      Double avg = call.isNull("avg_factor") ? null : call.getDouble("avg_factor");
      WeightReduce.Reduced red = WeightReduce.apply(shape, Tensors.toDoubles(lossIn), weight, r, avg, 1.0, null);
      CaseOutputs out = new CaseOutputs();
      for (String name : c.expectedOutputs().keySet()) {
        if (!name.equals("loss")) {
          throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
        }
        out.output("loss", Tensors.create(red.values(), lossIn.dataType(), red.shape()));
      }
      for (String name : c.expectedGrads().keySet()) {
        if (!name.equals("loss")) {
          throw new UnsupportedCaseException(c.id() + ": gradient w.r.t. '" + name + "' is not computed");
        }
        out.grad("loss", Tensors.create(red.gradLoss(), lossIn.dataType(), shape));
      }
      return out;
    }

    private static void requireKnownKeys(GoldenCase c, Config call, Set<String> known) {
      for (String k : call.keys()) {
        if (!known.contains(k)) {
          throw new UnsupportedCaseException(c.id() + ": unknown call key '" + k + "' in " + call);
        }
      }
    }
  }
}
