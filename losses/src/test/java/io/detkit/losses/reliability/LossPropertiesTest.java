package io.detkit.losses.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.LossScenarios;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Properties every loss must have on random valid inputs (random sizes, logit scales and seeds):
 * element-wise values are non-negative; {@code sum} equals {@code mean} times the element count,
 * for values and gradients; {@code mean} with an {@code avg_factor} is the weighted sum over it.
 * (Zero weights and {@code loss_weight} scaling are pinned by the losses' own pipeline and
 * weighting tests for every loss.)
 */
class LossPropertiesTest {
  private static final List<LossScenarios.Subject> SUBJECTS = LossScenarios.subjects();

  private static double[] d(INDArray a) {
    return Tensors.toDoubles(a);
  }

  private static double tol(double a) {
    return 1e-9 * (1 + Math.abs(a));
  }

  @Property(tries = 300)
  void elementwiseLossesAreNonNegative(@ForAll @IntRange(min = 0, max = 19) int which, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 12) int n, @ForAll @DoubleRange(min = 0.01, max = 30) double scale) {
    LossScenarios.Subject s = SUBJECTS.get(which % SUBJECTS.size());
    INDArray[] a = s.inputs().make(new Random(seed), n, DataType.DOUBLE, s.kind() == LossScenarios.Kind.BOXES
        ? Math.max(scale / 10, 0.01) : scale);
    LossResult r = s.build("none", false).forward(LossScenarios.args(a, s.takesWeight()));
    for (double v : d(r.value())) {
      assertThat(v).as("%s element", s).isGreaterThanOrEqualTo(0.0);
    }
  }

  @Property(tries = 300)
  void sumIsMeanTimesTheElementCountForValueAndGradient(@ForAll @IntRange(min = 0, max = 19) int which,
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int n,
      @ForAll @DoubleRange(min = 0.01, max = 10) double scale) {
    LossScenarios.Subject s = SUBJECTS.get(which % SUBJECTS.size());
    if (s.isGhm()) {
      return; // GHM normalises by its own bin statistics and rejects 'sum', as MMDetection does.
    }
    INDArray[] a = s.inputs().make(new Random(seed), n, DataType.DOUBLE, s.kind() == LossScenarios.Kind.BOXES
        ? Math.max(scale / 10, 0.01) : scale);
    LossArgs args = LossScenarios.args(a, false);
    LossResult none = s.build("none", false).forward(args);
    LossResult sum = s.build("sum", false).forward(args);
    LossResult mean = s.build("mean", false).forward(args);
    double[] elements = d(none.value());
    double total = 0;
    for (double v : elements) {
      total += v;
    }
    int count = elements.length;
    assertThat(sum.scalar()).as("%s sum", s).isCloseTo(total, within(tol(total)));
    assertThat(sum.scalar()).as("%s sum vs mean", s).isCloseTo(mean.scalar() * count, within(tol(total)));
    double[] gs = d(sum.gradPred());
    double[] gm = d(mean.gradPred());
    for (int i = 0; i < gs.length; i++) {
      assertThat(gs[i]).as("%s grad %d", s, i).isCloseTo(gm[i] * count, within(tol(gs[i])));
    }
  }

  @Property(tries = 200)
  void meanWithAvgFactorIsTheWeightedSumOverIt(@ForAll @IntRange(min = 0, max = 19) int which,
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int n,
      @ForAll @DoubleRange(min = 0.1, max = 500) double avgFactor) {
    LossScenarios.Subject s = SUBJECTS.get(which % SUBJECTS.size());
    if (!s.takesWeight()) {
      return;
    }
    INDArray[] a = s.inputs().make(new Random(seed), n, DataType.DOUBLE, 2.0);
    LossArgs args = LossScenarios.args(a, true);
    LossResult sum = s.build("sum", false).forward(args);
    LossResult mean = s.build("mean", false).forward(args.avgFactor(avgFactor));
    // MMDetection divides by avg_factor + eps (torch.finfo(float32).eps).
    double eps = Math.ulp(1.0f);
    assertThat(mean.scalar()).as("%s", s).isCloseTo(sum.scalar() / (avgFactor + eps),
        within(tol(sum.scalar() / avgFactor)));
    double[] gs = d(sum.gradPred());
    double[] gm = d(mean.gradPred());
    for (int i = 0; i < gs.length; i++) {
      assertThat(gm[i]).as("%s grad %d", s, i).isCloseTo(gs[i] / (avgFactor + eps), within(tol(gs[i])));
    }
  }
}
