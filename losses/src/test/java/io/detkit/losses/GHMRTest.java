package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f32;
import static io.detkit.losses.RegressionTestSupport.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GHM-R's bins, weights and normaliser against values worked out by hand (mu=0.02, bins=10):
 * differences {0, 0.1, -0.3, 2, 0.01, -0.016, 0.5, 0} have gradient norms in bins
 * {0, 9, 9, 9, 4, 6, -, 0} (element 6 has label_weight 0), so 4 bins are occupied, tot = 6.5 (the
 * SUM of label_weight, one of them 0.5) and the weights are tot / count / 4.
 */
class GHMRTest {
  private static final double[] DIFF = {0, 0.1, -0.3, 2.0, 0.01, -0.016, 0.5, 0.0};
  private static final double[] LABEL_WEIGHT = {1, 1, 1, 1, 1, 1, 0, 0.5};
  private static final double[] NONE = {0.0, 0.044406044730588505, 0.15202737743237313, 1.0725541653125674,
    0.003836104634371582, 0.009120307543313519, 0.0, 0.0};
  private static final double[] GRAD_NONE = {0.0, 0.5311478659992483, -0.5404669605056631, 0.5416395853644141,
    0.7267220926874317, -1.0151294522759395, 0.0, 0.0};
  private static final double MEAN = 0.1972221501757695;

  private static LossArgs args(boolean float32) {
    INDArray p = float32 ? f32(DIFF, 2, 4) : f64(DIFF, 2, 4);
    INDArray t = float32 ? f32(new double[8], 2, 4) : f64(new double[8], 2, 4);
    return LossArgs.of(p, t, float32 ? f32(LABEL_WEIGHT, 2, 4) : f64(LABEL_WEIGHT, 2, 4));
  }

  @Test
  void noneIsTheBinWeightedAuthenticSmoothL1() {
    LossResult r = GHMR.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build().forward(args(false));
    assertThat(r.value().shape()).containsExactly(2, 4);
    assertThat(Tensors.toDoubles(r.value())).containsExactly(NONE, within(1e-15));
    assertThat(Tensors.toDoubles(r.gradPred())).containsExactly(GRAD_NONE, within(1e-15));
  }

  @Test
  void meanDividesBySumOfLabelWeightPlusEpsAndIgnoresAvgFactor() {
    GHMR loss = GHMR.TYPE.builder().options(o -> o.withLossWeight(2)).build();
    assertThat(loss.forward(args(false)).scalar()).isCloseTo(2 * MEAN, within(1e-14));
    assertThat(loss.forward(args(false).avgFactor(100)).scalar()).isCloseTo(2 * MEAN, within(1e-14));
    assertThat(loss.forward(args(true)).scalar()).isCloseTo(2 * MEAN, within(1e-6));
  }

  @Test
  void labelWeightMayComeAsTheCallsWeight() {
    GHMR loss = GHMR.TYPE.builder().build();
    LossArgs asWeight = LossArgs.of(f64(DIFF, 2, 4), f64(new double[8], 2, 4)).weight(f64(LABEL_WEIGHT, 2, 4));
    assertThat(loss.forward(asWeight).scalar()).isEqualTo(loss.forward(args(false)).scalar());
  }

  @Test
  void totIsAtLeastOne() {
    double[] lw = {0.1, 0, 0, 0, 0, 0, 0, 0};
    LossResult r = GHMR.TYPE.builder().build().forward(f64(DIFF, 2, 4), f64(new double[8], 2, 4), f64(lw, 2, 4));
    // one valid element (d = 0, loss 0) in one bin: weight tot / 1 / 1 = 1, mean = 0 / (1 + eps)
    assertThat(r.scalar()).isEqualTo(0.0);
    double[] lw2 = {0, 0.1, 0, 0, 0, 0, 0, 0};
    LossResult r2 = GHMR.TYPE.builder().build().forward(f64(DIFF, 2, 4), f64(new double[8], 2, 4), f64(lw2, 2, 4));
    double loss1 = Math.sqrt(0.01 + 0.0004) - 0.02;
    assertThat(r2.scalar()).isCloseTo(loss1 / (1 + WeightReduce.AVG_FACTOR_EPS), within(1e-15));
  }

  @Test
  void momentumKeepsRunningBinCountsAcrossCalls() {
    GHMR loss = GHMR.TYPE.builder().params(p -> p.withMomentum(0.75)).build();
    assertThat(loss.runningBinCounts()).containsOnly(0.0).hasSize(10);
    assertThat(loss.forward(args(false)).scalar()).isCloseTo(0.788888600703078, within(1e-14));
    assertThat(loss.runningBinCounts()).containsExactly(0.5, 0, 0, 0, 0.25, 0, 0.25, 0, 0, 0.75);
    assertThat(loss.forward(args(false)).scalar()).isCloseTo(0.45079348611604464, within(1e-14));
    assertThat(loss.runningBinCounts()).containsExactly(0.875, 0, 0, 0, 0.4375, 0, 0.4375, 0, 0, 1.3125);
    assertThat(GHMR.TYPE.builder().build().runningBinCounts()).isEmpty();
  }

  @Test
  void concurrentCallsUpdateTheRunningCountsOnceEach() throws Exception {
    GHMR loss = GHMR.TYPE.builder().params(p -> p.withMomentum(0.5)).build();
    int calls = 64;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<LossResult>> futures = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        futures.add(pool.submit(() -> loss.forward(args(false))));
      }
      for (Future<LossResult> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    // Every call adds the same counts, so the result does not depend on the order: c * (1 - 0.5^calls).
    double k = 1 - Math.pow(0.5, calls);
    assertThat(loss.runningBinCounts()).containsExactly(new double[] {2 * k, 0, 0, 0, k, 0, k, 0, 0, 3 * k},
        within(1e-12));
  }

  @Test
  void muZeroIsPlainL1WithAZeroSubgradientAtZero() {
    LossResult r = GHMR.TYPE.builder().params(p -> p.withMu(0)).options(o -> o.withReduction(Reduction.NONE)).build()
        .forward(args(false));
    double[] g = Tensors.toDoubles(r.gradPred());
    for (double v : g) {
      assertThat(Double.isFinite(v)).isTrue();
    }
    assertThat(g[0]).isEqualTo(0.0);
  }
}
