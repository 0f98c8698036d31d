package io.detkit.core.nms;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** NMS names null arrays and NaN scores instead of failing inside or silently dropping them. */
class NmsArgumentTest {
  @Test
  void nullPrimitiveArraysAreNamed() {
    assertThatThrownBy(() -> Nms.nms((float[]) null, new float[0], 0.5f))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("boxes must not be null");
    assertThatThrownBy(() -> Nms.nms(new double[0], null, 0.5)).hasMessage("scores must not be null");
    assertThatThrownBy(() -> Nms.batchedNms(new float[4], null, new int[1], NmsConfig.of(0.5)))
        .hasMessage("scores must not be null");
  }

  @Test
  void multiclassNmsRejectsNaNScoresInsteadOfDroppingThem() {
    INDArray boxes = Tensors.create(new double[] {0, 0, 10, 10, 20, 20, 30, 30}, DataType.FLOAT, 2, 4);
    INDArray scores = Tensors.create(new double[] {0.9, 0, Double.NaN, 0}, DataType.FLOAT, 2, 2);
    assertThatThrownBy(() -> Nms.multiclassNms(boxes, scores, 0.05, NmsConfig.of(0.5), 100, null))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("multi_scores").hasMessageContaining("element 2 is NaN");
    INDArray ok = Tensors.create(new double[] {0.9, 0, 0.8, 0}, DataType.FLOAT, 2, 2);
    INDArray factors = Tensors.create(new double[] {1, Double.NaN}, DataType.FLOAT, 2);
    assertThatThrownBy(() -> Nms.multiclassNms(boxes, ok, 0.05, NmsConfig.of(0.5), 100, factors))
        .hasMessageContaining("score_factors").hasMessageContaining("element 1 is NaN");
  }

  @Test
  void nmsConfigFromNullIsNamed() {
    assertThatThrownBy(() -> NmsConfig.fromConfig(null)).hasMessage("config must not be null");
  }
}
