package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused path that FocalLoss takes for reduced losses with class-id targets gives the general
 * pipeline's value and gradient (the general path is reached with the equivalent one-hot target),
 * for every weight form, reduction, gamma and dtype, over more rows than one parallel block.
 */
class FocalLossFusedPathTest {
  private static final int N = FusedFocal.BLOCK_ROWS * 2 + 37;
  private static final int C = 7;

  private static INDArray oneHot(long[] labels, DataType dt) {
    double[] t = new double[labels.length * C];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < C) {
        t[i * C + (int) labels[i]] = 1.0;
      }
    }
    return Tensors.create(t, dt, labels.length, C);
  }

  @ParameterizedTest(name = "{0} gamma={1} reduction={2} weight={3} avg_factor={4}")
  @CsvSource({
      "FLOAT, 2.0, MEAN, row, 17.0", "FLOAT, 2.0, MEAN, none, -1", "FLOAT, 2.0, SUM, element, -1",
      "DOUBLE, 2.0, MEAN, row, 17.0", "DOUBLE, 1.5, MEAN, element, 5.0", "DOUBLE, 0.0, SUM, row, -1",
      "DOUBLE, 1.0, MEAN, none, -1", "FLOAT, 0.5, MEAN, row, 3.0"})
  void fusedPathMatchesTheGeneralPipeline(DataType dt, double gamma, Reduction reduction, String weightForm,
      double avgFactor) {
    Random rnd = new Random(42);
    double[] x = new double[N * C];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextGaussian() * 4 - 2;
    }
    x[5] = 1e4; // a saturated logit stays finite on both paths
    x[6] = -1e4;
    long[] labels = new long[N];
    for (int i = 0; i < N; i++) {
      labels[i] = rnd.nextInt(C + 1);
    }
    FocalLoss loss = FocalLoss.TYPE.builder().params(p -> p.withGamma(gamma).withAlpha(0.3))
        .options(o -> o.withLossWeight(1.7).withReduction(reduction)).build();
    INDArray pred = Tensors.create(x, dt, N, C);
    LossArgs fused = LossArgs.of(pred, Tensors.createLong(labels, N));
    LossArgs general = LossArgs.of(pred, oneHot(labels, dt));
    INDArray weight = weight(weightForm, rnd, dt);
    if (weight != null) {
      fused = fused.weight(weight);
      general = general.weight(weight);
    }
    if (avgFactor > 0) {
      fused = fused.avgFactor(avgFactor);
      general = general.avgFactor(avgFactor);
    }
    LossResult a = loss.forward(fused);
    LossResult b = loss.forward(general);
    double tol = dt == DataType.FLOAT ? 1e-5 : 1e-12;
    assertThat(a.value().dataType()).isEqualTo(dt);
    assertThat(a.gradPred().dataType()).isEqualTo(dt);
    assertThat(a.gradPred().shape()).containsExactly(N, C);
    assertClose(new double[] {a.scalar()}, new double[] {b.scalar()}, tol);
    assertClose(Tensors.toDoubles(a.gradPred()), Tensors.toDoubles(b.gradPred()), tol);
  }

  private static INDArray weight(String form, Random rnd, DataType dt) {
    switch (form) {
      case "row": {
        double[] w = new double[N];
        for (int i = 0; i < N; i++) {
          w[i] = rnd.nextInt(4) == 0 ? 0.0 : rnd.nextDouble() * 2;
        }
        return Tensors.create(w, dt, N);
      }
      case "element": {
        double[] w = new double[N * C];
        for (int i = 0; i < w.length; i++) {
          w[i] = rnd.nextDouble();
        }
        return Tensors.create(w, dt, N, C);
      }
      default:
        return null;
    }
  }

  private static void assertClose(double[] actual, double[] expected, double tol) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(Math.abs(actual[i] - expected[i]))
          .as("element %d: %s vs %s", i, actual[i], expected[i])
          .isLessThanOrEqualTo(tol * Math.max(1.0, Math.abs(expected[i])));
    }
  }

  @ParameterizedTest(name = "C={0}")
  @CsvSource({"80", "21", "16", "37"})
  void scalarAndSimdKernelsAgree(int c) {
    assumeTrue(FusedFocal.SIMD, "the JVM runs without --add-modules jdk.incubator.vector");
    Random rnd = new Random(c);
    int n = FusedFocal.BLOCK_ROWS + 5;
    float[] x = new float[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * 5 - 3);
    }
    x[0] = 1e4f;
    x[1] = -1e4f;
    long[] labels = new long[n];
    double[] rowWeight = new double[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rnd.nextInt(c + 1);
      rowWeight[i] = rnd.nextInt(5) == 0 ? 0.0 : rnd.nextDouble();
    }
    float[] gScalar = new float[n * c];
    float[] gSimd = new float[n * c];
    FusedFocal scalar = new FusedFocal(2.0, 0.25, false);
    FusedFocal simd = new FusedFocal(2.0, 0.25, true);
    assertThat(simd.usesSimd(x, c, null)).isTrue();
    assertThat(scalar.usesSimd(x, c, null)).isFalse();
    double a = scalar.run(x, labels, n, c, rowWeight, null, 0.01, gScalar);
    double b = simd.run(x, labels, n, c, rowWeight, null, 0.01, gSimd);
    assertThat(b).isCloseTo(a, within(1e-5 * Math.abs(a)));
    for (int i = 0; i < gScalar.length; i++) {
      assertThat((double) gSimd[i]).as("gradient %d", i).isCloseTo(gScalar[i], within(1e-6 + 1e-5 * Math.abs(gScalar[i])));
    }
  }

  @Test
  void simdExpAndLog1pAreAccurateToFloat32() {
    assumeTrue(FusedFocal.SIMD, "the JVM runs without --add-modules jdk.incubator.vector");
    int lanes = VectorFocal.lanes();
    float[] in = new float[lanes];
    float[] exp = new float[lanes];
    float[] log = new float[lanes];
    double worstExp = 0;
    double worstLog = 0;
    for (int i = 0; i < 200_000; i += lanes) {
      for (int k = 0; k < lanes; k++) {
        // -87 .. 0 for exp; its results (0 .. 1] feed log1p, as in the kernel.
        in[k] = -87f * (i + k) / 200_000f;
      }
      System.arraycopy(in, 0, exp, 0, lanes);
      LaneMath.expNegAbsInto(exp, exp, lanes);
      LaneMath.log1pInto(exp, log, lanes);
      for (int k = 0; k < lanes; k++) {
        double trueExp = Math.exp(in[k]);
        worstExp = Math.max(worstExp, Math.abs(exp[k] - trueExp) / trueExp);
        double trueLog = Math.log1p(exp[k]);
        worstLog = Math.max(worstLog, Math.abs(log[k] - trueLog) / trueLog);
      }
    }
    // float32's unit roundoff is 6e-8: a few ulps at most.
    assertThat(worstExp).isLessThan(4e-7);
    assertThat(worstLog).isLessThan(4e-7);
  }

  @Test
  void resultsAreIdenticalWhateverThePoolSize() throws Exception {
    Random rnd = new Random(3);
    float[] x = new float[N * C];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * 3);
    }
    long[] labels = new long[N];
    for (int i = 0; i < N; i++) {
      labels[i] = rnd.nextInt(C + 1);
    }
    LossArgs args = LossArgs.of(Tensors.create(x, DataType.FLOAT, N, C), Tensors.createLong(labels, N))
        .avgFactor(11.0);
    FocalLoss loss = FocalLoss.TYPE.builder().build();
    LossResult common = loss.forward(args);
    ForkJoinPool one = new ForkJoinPool(1);
    ForkJoinPool eight = new ForkJoinPool(8);
    try {
      LossResult single = one.submit(() -> loss.forward(args)).get();
      LossResult many = eight.submit(() -> loss.forward(args)).get();
      for (LossResult r : new LossResult[] {single, many}) {
        assertThat(r.scalar()).isEqualTo(common.scalar());
        assertThat(Tensors.toFloats(r.gradPred())).containsExactly(Tensors.toFloats(common.gradPred()));
      }
    } finally {
      one.shutdown();
      eight.shutdown();
    }
  }

  @Test
  void aNaNLogitFollowsTheGeneralPathRules() {
    double[] x = {0.5, Double.NaN, -1.0, 2.0};
    LossArgs args = LossArgs.of(Tensors.create(x, DataType.FLOAT, 2, 2), Tensors.createLong(new long[] {0, 2}, 2));
    LossResult r = FocalLoss.TYPE.builder().build().forward(args);
    assertThat(r.scalar()).isNaN();
    FocalLoss checked = FocalLoss.TYPE.builder().options(o -> o.withCheckFinite(true)).build();
    assertThatThrownBy(() -> checked.forward(args)).isInstanceOf(NonFiniteLossException.class)
        .hasMessageContaining("pred");
  }

  @Test
  void badLabelsAndWeightsAreRejectedOnTheFusedPath() {
    INDArray pred = Tensors.create(new double[6], DataType.FLOAT, 3, 2);
    FocalLoss loss = FocalLoss.TYPE.builder().build();
    assertThatThrownBy(() -> loss.forward(LossArgs.of(pred, Tensors.createLong(new long[] {0, 3, 1}, 3))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target[1] = 3");
    assertThatThrownBy(() -> loss.forward(LossArgs.of(pred, Tensors.createLong(new long[] {0, 1, 1}, 3))
        .weight(Tensors.create(new double[5], DataType.FLOAT, 5))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight must be [N]");
  }
}
