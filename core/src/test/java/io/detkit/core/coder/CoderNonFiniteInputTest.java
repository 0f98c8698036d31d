package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-finite priors, ground truths or predictions are rejected by every coder, naming the argument
 * and the first bad element, instead of decoding to NaN; a non-finite upstream gradient propagates,
 * as in autograd.
 */
class CoderNonFiniteInputTest {
  private static final List<BBoxCoder> BOX_CODERS = List.of(new DeltaXYWHBBoxCoder(), new TBLRBBoxCoder());

  private static INDArray f(DataType t, double... v) {
    return Tensors.create(v, t, v.length / 4, 4);
  }

  @Test
  void encodeRejectsNonFinitePriorsAndGroundTruths() {
    for (BBoxCoder c : BOX_CODERS) {
      assertThatThrownBy(() -> c.encode(f(DataType.FLOAT, 0, 0, Double.NaN, 10), f(DataType.FLOAT, 0, 0, 5, 5)))
          .as(c.toString()).isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("bboxes must be finite; element 2 is NaN");
      assertThatThrownBy(() -> c.encode(new double[] {0, 0, 10, 10}, new double[] {0, 0, 5, Double.NaN}))
          .as(c.toString()).hasMessage("gt_bboxes must be finite; element 3 is NaN");
    }
    DistancePointBBoxCoder points = new DistancePointBBoxCoder();
    assertThatThrownBy(() -> points.encode(new float[] {Float.POSITIVE_INFINITY, 1}, new float[] {0, 0, 5, 5}))
        .hasMessage("points must be finite; element 0 is Infinity");
  }

  @Test
  void decodeRejectsNonFinitePredictions() {
    for (BBoxCoder c : BOX_CODERS) {
      assertThatThrownBy(() -> c.decode(f(DataType.DOUBLE, 0, 0, 10, 10), f(DataType.DOUBLE, 0, Double.NaN, 0, 0),
          null)).as(c.toString()).hasMessage("pred_bboxes must be finite; element 1 is NaN");
      assertThatThrownBy(() -> c.decode(new float[] {0, 0, 10, 10}, new float[] {0, 0, 0, Float.NaN}, new int[] {9, 9}))
          .as(c.toString()).hasMessage("pred_bboxes must be finite; element 3 is NaN");
    }
  }

  @Test
  void aNonFiniteUpstreamGradientIsRejectedByName() {
    BBoxCoder c = new DeltaXYWHBBoxCoder();
    assertThatThrownBy(() -> c.decodeVjp(new double[] {0, 0, 10, 10}, new double[4], null,
        new double[] {Double.NaN, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upstream must be finite; element 0 is NaN");
  }

  @Test
  void nullArraysAreNamed() {
    BBoxCoder c = new DeltaXYWHBBoxCoder();
    assertThatThrownBy(() -> c.encode((INDArray) null, f(DataType.FLOAT, 0, 0, 1, 1)))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bboxes must not be null");
    assertThatThrownBy(() -> c.decode(new float[4], null, null)).hasMessage("pred_bboxes must not be null");
    assertThatThrownBy(() -> new DeltaXYWHBBoxCoder(null, new double[] {1, 1, 1, 1}, true, false, 32))
        .hasMessage("target_means must not be null");
  }
}
