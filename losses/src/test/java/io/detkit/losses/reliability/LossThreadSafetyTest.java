package io.detkit.losses.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.core.reliability.Concurrency;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.LossScenarios;
import io.detkit.losses.GHMC;
import io.detkit.losses.GHMR;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Losses are stateless except GHMC and GHMR with {@code momentum > 0}. A stateless loss shared by 8
 * threads gives every call the serial result bit for bit. The GHM running statistics are updated
 * atomically: N concurrent identical calls leave the same statistics as N serial calls, and the
 * results are exactly the N serial results in some order.
 */
class LossThreadSafetyTest {
  private static final int THREADS = 8;

  static Stream<LossScenarios.Subject> subjects() {
    return LossScenarios.subjects().stream();
  }

  private static String bits(LossResult r) {
    StringBuilder sb = new StringBuilder();
    for (INDArray a : new INDArray[] {r.value(), r.gradPred()}) {
      sb.append(Arrays.toString(a.shape()));
      for (double v : Tensors.toDoubles(a)) {
        sb.append(Long.toHexString(Double.doubleToRawLongBits(v))).append(',');
      }
    }
    return sb.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void statelessLossFromEightThreadsGivesTheSerialResult(LossScenarios.Subject s) {
    INDArray[] a = s.inputs().make(new Random(31), 200, DataType.FLOAT, 3.0);
    LossArgs plain = LossScenarios.args(a, s.takesWeight());
    // GHMC rejects an avg_factor and GHMR ignores it (MMDetection passes its own).
    LossArgs args = s.isGhm() ? plain : plain.avgFactor(37.0);
    Loss loss = s.build("mean", false);
    String serial = bits(loss.forward(args));
    List<String> all = Concurrency.runTogether(THREADS, 4, () -> bits(loss.forward(args)));
    assertThat(all).as("%s", s).allMatch(serial::equals);
  }

  private static LossArgs ghmcArgs() {
    Random r = new Random(3);
    int n = 300;
    double[] pred = LossScenarios.normal(r, n * 3, 2);
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(4);
    }
    double[] lw = LossScenarios.uniform(r, n, 0, 1);
    return LossArgs.of(Tensors.create(pred, DataType.FLOAT, n, 3), Tensors.createLong(labels, n),
        Tensors.create(lw, DataType.FLOAT, n));
  }

  private static LossArgs ghmrArgs() {
    Random r = new Random(4);
    int n = 300;
    return LossArgs.of(Tensors.create(LossScenarios.normal(r, n * 4, 0.5), DataType.FLOAT, n, 4),
        Tensors.create(LossScenarios.normal(r, n * 4, 0.5), DataType.FLOAT, n, 4),
        Tensors.create(LossScenarios.uniform(r, n * 4, 0, 1), DataType.FLOAT, n, 4));
  }

  private static List<String> sorted(List<String> l) {
    List<String> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  @Test
  void ghmcRunningCountsAreUpdatedAtomicallyAcrossThreads() {
    Config cfg = Config.of("type", "GHMC", "bins", 10, "momentum", 0.75);
    LossArgs args = ghmcArgs();
    int calls = THREADS * 3;
    GHMC serial = (GHMC) Losses.build(cfg);
    List<String> serialResults = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      serialResults.add(bits(serial.forward(args)));
    }
    GHMC shared = (GHMC) Losses.build(cfg);
    List<String> concurrent = Concurrency.runTogether(THREADS, 3, () -> bits(shared.forward(args)));
    assertThat(shared.runningCounts()).containsExactly(serial.runningCounts());
    assertThat(sorted(concurrent)).isEqualTo(sorted(serialResults));
    // The statistics move between calls, so the first and the last serial results differ.
    assertThat(serialResults.get(0)).isNotEqualTo(serialResults.get(calls - 1));
  }

  @Test
  void ghmrRunningCountsAreUpdatedAtomicallyAcrossThreads() {
    Config cfg = Config.of("type", "GHMR", "momentum", 0.75);
    LossArgs args = ghmrArgs();
    int calls = THREADS * 3;
    GHMR serial = (GHMR) Losses.build(cfg);
    List<String> serialResults = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      serialResults.add(bits(serial.forward(args)));
    }
    GHMR shared = (GHMR) Losses.build(cfg);
    List<String> concurrent = Concurrency.runTogether(THREADS, 3, () -> bits(shared.forward(args)));
    assertThat(shared.runningBinCounts()).containsExactly(serial.runningBinCounts());
    assertThat(sorted(concurrent)).isEqualTo(sorted(serialResults));
    assertThat(serialResults.get(0)).isNotEqualTo(serialResults.get(calls - 1));
  }

  @Test
  void ghmWithoutMomentumIsStateless() {
    GHMC ghmc = (GHMC) Losses.build(Config.of("type", "GHMC"));
    GHMR ghmr = (GHMR) Losses.build(Config.of("type", "GHMR"));
    String c0 = bits(ghmc.forward(ghmcArgs()));
    String r0 = bits(ghmr.forward(ghmrArgs()));
    for (int i = 0; i < 3; i++) {
      assertThat(bits(ghmc.forward(ghmcArgs()))).isEqualTo(c0);
      assertThat(bits(ghmr.forward(ghmrArgs()))).isEqualTo(r0);
    }
    assertThat(ghmc.runningCounts()).containsOnly(0.0);
    assertThat(ghmr.runningBinCounts()).isEmpty();
  }
}
