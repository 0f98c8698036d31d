package io.detkit.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DetectionEvaluatorTest {
  private final DetectionEvaluator eval = new DetectionEvaluator(2, 100);

  private static Detections gt(float[] boxes, int... labels) {
    return Detections.groundTruth(boxes, labels);
  }

  private static Detections pred(float[] boxes, float[] scores, int... labels) {
    return Detections.predictions(boxes, scores, labels);
  }

  @Test
  void perfectDetectionsScoreOne() {
    Detections g = gt(new float[] {0, 0, 10, 10, 20, 20, 40, 30}, 0, 1);
    Detections p = pred(new float[] {0, 0, 10, 10, 20, 20, 40, 30}, new float[] {0.9f, 0.8f}, 0, 1);
    DetectionEvaluator.Result r = eval.evaluate(List.of(p), List.of(g));
    assertThat(r.cocoAp()).isEqualTo(1.0);
    assertThat(r.ap50()).isEqualTo(1.0);
    assertThat(r.vocMap()).isEqualTo(1.0);
  }

  @Test
  void noDetectionsScoreZero() {
    Detections g = gt(new float[] {0, 0, 10, 10}, 0);
    Detections p = pred(new float[0], new float[0]);
    assertThat(eval.evaluate(List.of(p), List.of(g)).cocoAp()).isZero();
  }

  @Test
  void halfRecallWithAFalsePositiveFirst() {
    // Class 0 has two ground truths; detections by score: miss (fp), hit, nothing for the second gt.
    Detections g = gt(new float[] {0, 0, 10, 10, 50, 50, 60, 60}, 0, 0);
    Detections p = pred(new float[] {100, 100, 110, 110, 0, 0, 10, 10}, new float[] {0.9f, 0.8f}, 0, 0);
    DetectionEvaluator.Result r = new DetectionEvaluator(1, 100).evaluate(List.of(p), List.of(g));
    // Recall reaches 0.5 at precision 0.5; points 0..50 (51 of 101) get precision 0.5.
    assertThat(r.ap50()).isCloseTo(51 * 0.5 / 101, within(1e-12));
    assertThat(r.cocoAp()).isCloseTo(51 * 0.5 / 101, within(1e-12));
    assertThat(r.vocMap()).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void iouThresholdsAverageOverTen() {
    // IoU of the prediction with the gt is 0.72: a hit at thresholds 0.50..0.70 (5 of 10).
    Detections g = gt(new float[] {0, 0, 10, 10}, 0);
    Detections p = pred(new float[] {0, 0, 10, 7.2f}, new float[] {0.5f}, 0);
    DetectionEvaluator.Result r = new DetectionEvaluator(1, 100).evaluate(List.of(p), List.of(g));
    assertThat(r.ap50()).isEqualTo(1.0);
    assertThat(r.ap75()).isZero();
    assertThat(r.cocoAp()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void classesWithoutGroundTruthAreLeftOut() {
    Detections g = gt(new float[] {0, 0, 10, 10}, 0);
    Detections p = pred(new float[] {0, 0, 10, 10, 30, 30, 40, 40}, new float[] {0.9f, 0.95f}, 0, 1);
    DetectionEvaluator.Result r = eval.evaluate(List.of(p), List.of(g));
    assertThat(r.cocoAp()).isEqualTo(1.0);
    assertThat(r.apPerClass()[1]).isNaN();
  }

  @Test
  void duplicateDetectionIsAFalsePositive() {
    Detections g = gt(new float[] {0, 0, 10, 10}, 0);
    Detections p = pred(new float[] {0, 0, 10, 10, 0, 0, 10, 10}, new float[] {0.9f, 0.8f}, 0, 0);
    DetectionEvaluator.Result r = new DetectionEvaluator(1, 100).evaluate(List.of(p), List.of(g));
    assertThat(r.ap50()).isEqualTo(1.0); // the duplicate comes after full recall
    Detections p2 = pred(new float[] {0, 0, 10, 10, 0, 0, 10, 10}, new float[] {0.8f, 0.9f}, 0, 0);
    assertThat(new DetectionEvaluator(1, 100).evaluate(List.of(p2), List.of(g)).ap50()).isEqualTo(1.0);
  }

  @Test
  void badInputIsNamed() {
    Detections g = gt(new float[] {0, 0, 10, 10}, 5);
    assertThatThrownBy(() -> eval.evaluate(List.of(pred(new float[0], new float[0])), List.of(g)))
        .hasMessageContaining("groundTruths[0] label 0 must be in [0, 2); got 5");
    assertThatThrownBy(() -> eval.evaluate(List.of(), List.of(g)))
        .hasMessageContaining("one entry per image");
    assertThatThrownBy(() -> Detections.groundTruth(new float[3], new int[] {1}))
        .hasMessageContaining("4 values per label");
  }
}
