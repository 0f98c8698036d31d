package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.golden.CaseOutputs;
import io.detkit.core.golden.ComponentRunner;
import io.detkit.core.golden.ConformanceSuite;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import io.detkit.core.golden.UnsupportedCaseException;
import io.detkit.core.tensor.Tensors;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Golden cases of {@code bbox_overlaps} and {@code BboxOverlaps2D}, in float32 and float64. */
class BboxConformanceTest {
  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new BboxRunner());
  }

  /** Beyond the manifest's tolerance: float32 overlaps equal MMDetection's bit for bit. */
  @TestFactory
  Stream<DynamicTest> float32OverlapsAreBitExact() {
    BboxRunner runner = new BboxRunner();
    return GoldenSet.load().cases().stream()
        .filter(c -> runner.components().contains(c.component()) && !c.expectsError())
        .filter(c -> c.outputsF32().containsKey("overlaps"))
        .map(c -> DynamicTest.dynamicTest(c.id() + " [f32 bits]", () -> {
          INDArray actual = (INDArray) runner.run(c).outputs().get("overlaps");
          GoldenCase.Expected e = c.outputsF32().get("overlaps");
          assertThat(actual.shape()).containsExactly(e.shape());
          float[] expected = new float[e.data().length];
          for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) e.data()[i];
          }
          assertThat(Tensors.toFloats(actual)).containsExactly(expected);
        }));
  }

  /** Runs {@code bbox_overlaps(...)} and {@code BboxOverlaps2D.__call__(...)} cases. */
  static final class BboxRunner implements ComponentRunner {
    private static final Set<String> CALL_KEYS = Set.of("method", "mode", "is_aligned", "eps");
    private static final Set<String> INPUTS = Set.of("bboxes1", "bboxes2");

    @Override
    public Set<String> components() {
      return Set.of("bbox_overlaps", "BboxOverlaps2D");
    }

    @Override
    public CaseOutputs run(GoldenCase c) {
      Config call = c.call();
      for (String k : call.keys()) {
        if (!CALL_KEYS.contains(k)) {
          throw new UnsupportedCaseException(c.id() + ": unknown call key '" + k + "'");
        }
      }
      for (String in : c.inputNames()) {
        if (!INPUTS.contains(in)) {
          throw new UnsupportedCaseException(c.id() + ": unknown input '" + in + "'");
        }
      }
      for (String out : c.expectedOutputs().keySet()) {
        if (!out.equals("overlaps")) {
          throw new UnsupportedCaseException(c.id() + ": unknown output '" + out + "'");
        }
      }
      for (String g : c.expectedGrads().keySet()) {
        if (!INPUTS.contains(g)) {
          throw new UnsupportedCaseException(c.id() + ": gradient w.r.t. unknown input '" + g + "'");
        }
      }
      if (!c.expectedGrads().isEmpty() && !c.gradOf().orElse("").equals("overlaps.sum()")) {
        throw new UnsupportedCaseException(c.id() + ": unsupported grad_of " + c.gradOf());
      }
      if (!c.invariants().keys().isEmpty()) {
        throw new UnsupportedCaseException(c.id() + ": unknown invariants " + c.invariants().keys());
      }
      INDArray b1 = c.input("bboxes1");
      INDArray b2 = c.input("bboxes2");
      String mode = call.getString("mode", "iou");
      boolean aligned = call.getBoolean("is_aligned", false);

      CaseOutputs out = new CaseOutputs();
      boolean wantGrads = !c.expectedGrads().isEmpty();
      if (c.component().equals("bbox_overlaps")) {
        if (!c.method().equals("bbox_overlaps")) {
          throw new UnsupportedCaseException(c.id() + ": unknown call '" + c.method() + "'");
        }
        Config config = c.config();
        if (!config.getString("function", "mmdet.core.bbox.bbox_overlaps").equals("mmdet.core.bbox.bbox_overlaps")) {
          throw new UnsupportedCaseException(c.id() + ": unknown function " + config.get("function"));
        }
        double eps = call.getDouble("eps", BboxOverlaps.DEFAULT_EPS);
        OverlapMode m = OverlapMode.parse(mode);
        out.output("overlaps", BboxOverlaps.bboxOverlaps(b1, b2, m, aligned, eps));
        if (wantGrads) {
          INDArray ones = Nd4j.ones(b1.dataType(), BboxOverlaps.bboxOverlaps(b1, b2, m, aligned, eps).shape());
          BboxOverlaps.Gradients g = BboxOverlaps.vjp(b1, b2, m, aligned, eps, ones);
          out.grad("bboxes1", g.bboxes1()).grad("bboxes2", g.bboxes2());
        }
        return out;
      }
      if (!c.method().equals("__call__")) {
        throw new UnsupportedCaseException(c.id() + ": unknown call '" + c.method() + "'");
      }
      if (call.has("eps")) {
        throw new UnsupportedCaseException(c.id() + ": BboxOverlaps2D.__call__ takes no eps");
      }
      BboxOverlaps2D calc = CoreRegistries.buildIouCalculator(c.config());
      out.output("overlaps", calc.overlaps(b1, b2, mode, aligned));
      if (wantGrads) {
        if (calc.dtype() != null) {
          throw new UnsupportedCaseException(c.id() + ": gradients through the fp16 path are not supported");
        }
        // A dropped score column gets no gradient; the four box columns get bbox_overlaps' gradient.
        INDArray f1 = BboxOverlaps2D.dropScores(b1, "bboxes1");
        INDArray f2 = BboxOverlaps2D.dropScores(b2, "bboxes2");
        OverlapMode m = OverlapMode.parse(mode);
        INDArray ones = Nd4j.ones(b1.dataType(), BboxOverlaps.bboxOverlaps(f1, f2, m, aligned).shape());
        BboxOverlaps.Gradients g = BboxOverlaps.vjp(f1, f2, m, aligned, BboxOverlaps.DEFAULT_EPS, ones);
        out.grad("bboxes1", padTo(g.bboxes1(), b1)).grad("bboxes2", padTo(g.bboxes2(), b2));
      }
      return out;
    }

    private static INDArray padTo(INDArray grad, INDArray input) {
      if (input.size(-1) == grad.size(-1)) {
        return grad;
      }
      INDArray full = Nd4j.create(input.dataType(), input.shape());
      if (full.length() == 0) {
        return full;
      }
      INDArrayIndex[] idx = new INDArrayIndex[input.rank()];
      for (int i = 0; i < idx.length - 1; i++) {
        idx[i] = NDArrayIndex.all();
      }
      idx[idx.length - 1] = NDArrayIndex.interval(0, grad.size(-1));
      full.get(idx).assign(grad);
      return full;
    }
  }
}
