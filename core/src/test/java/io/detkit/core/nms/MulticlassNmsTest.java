package io.detkit.core.nms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class MulticlassNmsTest {
  private static final Config NMS = Config.of("type", "nms", "iou_threshold", 0.5);

  private static INDArray f(float[] v, long... shape) {
    return Tensors.create(v, DataType.FLOAT, shape);
  }

  // Priors 0 and 1 overlap (IoU 0.68), prior 2 is apart.
  private static final INDArray BOXES = f(new float[] {0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30}, 3, 4);
  // Two classes + background column.
  private static final INDArray SCORES = f(new float[] {
      0.9f, 0.2f, 0.1f,
      0.8f, 0.6f, 0.3f,
      0.05f, 0.7f, 0.9f}, 3, 3);

  @Test
  void thresholdsThenSuppressesPerClassInScoreOrder() {
    MulticlassNmsResult r = Nms.multiclassNms(BOXES, SCORES, 0.1, NMS, -1, null);
    // Candidates (> 0.1): (0,c0)=.9 (0,c1)=.2 (1,c0)=.8 (1,c1)=.6 (2,c1)=.7; (1,c0) dies under (0,c0),
    // (0,c1) dies under (1,c1).
    assertThat(r.indArray()).containsExactly(0, 5, 3);
    assertThat(r.labelArray()).containsExactly(0, 1, 1);
    float[][] dets = r.dets().toFloatMatrix();
    assertThat(dets[0]).containsExactly(0, 0, 10, 10, 0.9f);
    assertThat(dets[1]).containsExactly(20, 20, 30, 30, 0.7f);
    assertThat(dets[2]).containsExactly(1, 1, 11, 11, 0.6f);
    assertThat(r.labels().dataType()).isEqualTo(DataType.INT64);
  }

  @Test
  void scoreThresholdIsStrictAndMaxNumTruncates() {
    // (2,c1) scores exactly 0.7: not above 0.7; (1,c0) = 0.8 passes but is suppressed by (0,c0).
    assertThat(Nms.multiclassNms(BOXES, SCORES, 0.7, NMS, -1, null).indArray()).containsExactly(0);
    assertThat(Nms.multiclassNms(BOXES, SCORES, 0.69, NMS, -1, null).indArray()).containsExactly(0, 5);
    MulticlassNmsResult top2 = Nms.multiclassNms(BOXES, SCORES, 0.1, NMS, 2, null);
    assertThat(top2.indArray()).containsExactly(0, 5);
  }

  @Test
  void scoreFactorsApplyAfterTheThreshold() {
    // Factor 0.1 on prior 0: its class-0 score 0.9 passes the 0.5 threshold, then becomes 0.09,
    // which ranks it last; prior 1's class-0 box (0.8) is then kept first and suppresses it.
    INDArray factors = f(new float[] {0.1f, 1, 1}, 3);
    MulticlassNmsResult r = Nms.multiclassNms(BOXES, SCORES, 0.5, NMS, -1, factors);
    assertThat(r.indArray()).containsExactly(2, 5, 3);
    assertThat(r.labelArray()).containsExactly(0, 1, 1);
    assertThat(r.dets().getFloat(0, 4)).isEqualTo(0.8f);
  }

  @Test
  void perClassBoxesAreUsedForTheirClass() {
    // Prior 0 has a different box per class; class 1's box coincides with prior 1's class-1 box.
    INDArray boxes = f(new float[] {
        0, 0, 10, 10, 50, 50, 60, 60,
        100, 100, 110, 110, 50, 50, 60, 60}, 2, 8);
    INDArray scores = f(new float[] {0.9f, 0.8f, 0, 0.7f, 0.6f, 0}, 2, 3);
    MulticlassNmsResult r = Nms.multiclassNms(boxes, scores, 0.05, NMS, -1, null);
    assertThat(r.indArray()).containsExactly(0, 1, 2);
    assertThat(r.dets().toFloatMatrix()[1]).containsExactly(50, 50, 60, 60, 0.8f);
    assertThat(r.dets().toFloatMatrix()[2]).containsExactly(100, 100, 110, 110, 0.7f);
  }

  @Test
  void nothingAboveTheThresholdGivesEmptyResults() {
    MulticlassNmsResult r = Nms.multiclassNms(BOXES, SCORES, 0.95, NMS, 100, null);
    assertThat(r.size()).isZero();
    assertThat(r.dets().shape()).containsExactly(0, 5);
    assertThat(r.labels().length()).isZero();
  }

  @Test
  void withoutNmsConfigOnlySorts() {
    MulticlassNmsResult r = Nms.multiclassNms(BOXES, SCORES, 0.5, (Config) null, -1, null);
    assertThat(r.indArray()).containsExactly(0, 2, 5, 3);
  }

  @Test
  void rejectsMismatchedShapes() {
    assertThatThrownBy(() -> Nms.multiclassNms(f(new float[18], 3, 6), SCORES, 0.1, NMS, -1, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multi_bboxes must be [N,4] or [N,C*4]");
    assertThatThrownBy(() -> Nms.multiclassNms(BOXES, SCORES, 0.1, NMS, -1, f(new float[2], 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("score_factors");
  }
}
