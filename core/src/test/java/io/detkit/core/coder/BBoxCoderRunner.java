package io.detkit.core.coder;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.UnsupportedCaseException;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the box-coder golden cases: {@code encode(bboxes|points, gt_bboxes[, max_dis, eps])} and
 * {@code decode(bboxes|points, pred_bboxes[, max_shape, wh_ratio_clip])}, output {@code result},
 * and for decode the gradient of {@code result.sum()} with respect to {@code pred_bboxes}.
 */
final class BBoxCoderRunner implements ComponentRunner {
  @Override
  public Set<String> components() {
    return Set.of("DeltaXYWHBBoxCoder", "TBLRBBoxCoder", "DistancePointBBoxCoder");
  }

  @Override
  public CaseOutputs run(GoldenCase c) {
    Config call = c.call();
    String method = c.method();
    Set<String> allowed = switch (method) {
      case "encode" -> c.component().equals("DistancePointBBoxCoder")
          ? Set.of("method", "positional", "max_dis", "eps") : Set.of("method", "positional");
      case "decode" -> c.component().equals("DeltaXYWHBBoxCoder")
          ? Set.of("method", "positional", "max_shape", "wh_ratio_clip") : Set.of("method", "positional", "max_shape");
      default -> throw new UnsupportedCaseException(c.id() + ": unknown call '" + method + "'");
    };
    for (String key : call.keys()) {
      if (!allowed.contains(key)) {
        throw new UnsupportedCaseException(c.id() + ": unknown call key '" + key + "' for " + method);
      }
    }
    List<Object> positional = call.getList("positional");
    if (positional.size() != 2 || !c.inputNames().containsAll(positional) || c.inputNames().size() != 2) {
      throw new UnsupportedCaseException(c.id() + ": expected two positional inputs, got " + positional
          + " with inputs " + c.inputNames());
    }
    INDArray priors = c.input((String) positional.get(0));
    String secondName = (String) positional.get(1);
    INDArray second = c.input(secondName);
    BBoxCoder coder = CoreRegistries.buildBBoxCoder(c.config());
    CaseOutputs out = new CaseOutputs();
    if (method.equals("encode")) {
      if (!secondName.equals("gt_bboxes")) {
        throw new UnsupportedCaseException(c.id() + ": encode expects gt_bboxes, got " + secondName);
      }
      if (call.has("max_dis") || call.has("eps")) {
        Double maxDis = call.isNull("max_dis") ? null : call.getDouble("max_dis");
        double eps = call.getDouble("eps", DistancePointBBoxCoder.DEFAULT_EPS);
        out.output("result", ((DistancePointBBoxCoder) coder).encode(priors, second, maxDis, eps));
      } else {
        out.output("result", coder.encode(priors, second));
      }
    } else {
      if (!secondName.equals("pred_bboxes")) {
        throw new UnsupportedCaseException(c.id() + ": decode expects pred_bboxes, got " + secondName);
      }
      int[] maxShape = call.isNull("max_shape") ? null : call.getIntArray("max_shape");
      boolean ratio = !call.isNull("wh_ratio_clip");
      double whRatioClip = call.getDouble("wh_ratio_clip", DeltaXYWHBBoxCoder.DEFAULT_WH_RATIO_CLIP);
      INDArray result = ratio ? ((DeltaXYWHBBoxCoder) coder).decode(priors, second, maxShape, whRatioClip)
          : coder.decode(priors, second, maxShape);
      out.output("result", result);
      if (!c.expectedGrads().isEmpty()) {
        if (!c.gradOf().orElse("").equals("result.sum()") || !c.expectedGrads().keySet().equals(Set.of(secondName))) {
          throw new UnsupportedCaseException(c.id() + ": unsupported gradient " + c.gradOf() + " w.r.t. "
              + c.expectedGrads().keySet());
        }
        INDArray ones = Nd4j.ones(second.dataType(), second.shape());
        INDArray grad = ratio ? ((DeltaXYWHBBoxCoder) coder).decodeVjp(priors, second, maxShape, whRatioClip, ones)
            : coder.decodeVjp(priors, second, maxShape, ones);
        out.grad(secondName, grad);
      }
    }
    if (method.equals("encode") && !c.expectedGrads().isEmpty()) {
      throw new UnsupportedCaseException(c.id() + ": encode has no gradients; got " + c.expectedGrads().keySet());
    }
    for (String name : c.expectedOutputs().keySet()) {
      if (!out.outputs().containsKey(name)) {
        throw new UnsupportedCaseException(c.id() + ": unknown output '" + name + "'");
      }
    }
    return out;
  }
}
