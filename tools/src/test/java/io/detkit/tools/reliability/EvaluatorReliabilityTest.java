package io.detkit.tools.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.reliability.Concurrency;
import io.detkit.tools.eval.DetectionEvaluator;
import io.detkit.tools.eval.Detections;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The detection evaluator against hostile inputs (NaN or infinite boxes and scores are named
 * errors, extreme coordinates and scores still rank) and from 8 threads at once (the serial result).
 */
class EvaluatorReliabilityTest {
  @Test
  void nonFiniteBoxesAndScoresAreRejectedByName() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> Detections.groundTruth(new float[] {0, 0, 10, bad}, new int[] {0}))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("boxes must be finite; element 3 is " + bad);
      assertThatThrownBy(() -> Detections.predictions(new float[] {0, 0, 10, 10, 1, 1, 5, 5},
          new float[] {0.5f, bad}, new int[] {0, 0}))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("scores must be finite; element 1 is " + bad);
    }
  }

  @Test
  void extremeButFiniteInputsEvaluate() {
    Detections gt = Detections.groundTruth(new float[] {0, 0, 1e6f, 1e6f, 5, 5, 5, 5}, new int[] {0, 0});
    Detections pred = Detections.predictions(new float[] {0, 0, 1e6f, 1e6f, 5, 5, 5, 5, 0, 0, 1, 1},
        new float[] {1e30f, -1e30f, 0}, new int[] {0, 0, 0});
    DetectionEvaluator.Result r = new DetectionEvaluator(1, 100).evaluate(List.of(pred), List.of(gt));
    // The large box is found at every threshold; the zero-area one never is: AP is finite, in [0, 1].
    assertThat(r.cocoAp()).isBetween(0.0, 1.0);
    assertThat(r.ap50()).isBetween(0.4, 0.6);
  }

  @Test
  void eightThreadsGiveTheSerialResult() {
    SplittableRandom rnd = new SplittableRandom(5);
    List<Detections> preds = new ArrayList<>();
    List<Detections> gts = new ArrayList<>();
    for (int img = 0; img < 20; img++) {
      int k = 1 + rnd.nextInt(6);
      float[] g = new float[4 * k];
      int[] gl = new int[k];
      float[] p = new float[8 * k];
      float[] ps = new float[2 * k];
      int[] pl = new int[2 * k];
      for (int j = 0; j < k; j++) {
        float x = (float) rnd.nextDouble(0, 300);
        float y = (float) rnd.nextDouble(0, 300);
        float w = (float) rnd.nextDouble(5, 80);
        g[4 * j] = x;
        g[4 * j + 1] = y;
        g[4 * j + 2] = x + w;
        g[4 * j + 3] = y + w;
        gl[j] = rnd.nextInt(3);
        for (int d = 0; d < 2; d++) {
          int q = 2 * j + d;
          float jit = (float) rnd.nextDouble(-8, 8);
          p[4 * q] = x + jit;
          p[4 * q + 1] = y - jit;
          p[4 * q + 2] = x + w + jit;
          p[4 * q + 3] = y + w;
          ps[q] = (float) rnd.nextDouble();
          pl[q] = d == 0 ? gl[j] : rnd.nextInt(3);
        }
      }
      gts.add(Detections.groundTruth(g, gl));
      preds.add(Detections.predictions(p, ps, pl));
    }
    DetectionEvaluator ev = new DetectionEvaluator(3, 100);
    String serial = ev.evaluate(preds, gts).toString() + java.util.Arrays.toString(ev.evaluate(preds, gts)
        .apPerClass());
    List<String> all = Concurrency.runTogether(8, 3, () -> ev.evaluate(preds, gts).toString()
        + java.util.Arrays.toString(ev.evaluate(preds, gts).apPerClass()));
    assertThat(all).allMatch(serial::equals);
  }
}
