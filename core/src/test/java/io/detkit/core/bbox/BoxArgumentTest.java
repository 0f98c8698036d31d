package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The box transforms reject non-finite coordinates, and the public overlap kernels check their
 * array lengths, row ranges and eps in constant time, with messages naming the argument.
 */
class BoxArgumentTest {
  private static final float[] TWO = {0, 0, 10, 10, 5, 5, 15, 15};

  @Test
  void boxTransformsRejectNonFiniteCoordinates() {
    INDArray nan = Tensors.create(new double[] {0, 0, 10, Double.NaN}, DataType.FLOAT, 1, 4);
    String msg = "boxes must be finite; element 3 is NaN";
    assertThatThrownBy(() -> Boxes.areas(nan)).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(msg);
    assertThatThrownBy(() -> Boxes.clip(nan, 10, 10)).hasMessage(msg);
    assertThatThrownBy(() -> Boxes.xyxyToCxcywh(nan)).hasMessage(msg);
    assertThatThrownBy(() -> Boxes.cxcywhToXyxy(nan)).hasMessage(msg);
    INDArray inf = Tensors.create(new double[] {Double.POSITIVE_INFINITY, 0, 10, 10}, DataType.DOUBLE, 1, 4);
    assertThatThrownBy(() -> Boxes.flip(inf, 10, 10, "horizontal")).hasMessage("boxes must be finite; element 0 is Infinity");
  }

  @Test
  void kernelsRejectRaggedArraysNamingTheArgument() {
    assertThatThrownBy(() -> OverlapKernels.pairwise(new float[5], TWO, OverlapMode.IOU, 1e-6f))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("a must hold 4 values per box (x1, y1, x2, y2); got 5 values");
    assertThatThrownBy(() -> OverlapKernels.pairwise(TWO, new float[3], OverlapMode.IOU, 1e-6f))
        .hasMessage("b must hold 4 values per box (x1, y1, x2, y2); got 3 values");
    assertThatThrownBy(() -> OverlapKernels.aligned(TWO, new float[4], OverlapMode.IOU, 1e-6f))
        .hasMessage("b must hold as many values as a (8) for aligned pairs; got 4");
    assertThatThrownBy(() -> OverlapKernels.aligned(new double[8], new double[8], OverlapMode.IOU, 1e-6, new double[1]))
        .hasMessage("out must hold n = 2 values; got 1");
  }

  @Test
  void kernelsRejectRowRangesOutsideTheArrayAndShortOutputs() {
    assertThatThrownBy(() -> OverlapKernels.pairwise(TWO, -1, 1, TWO, OverlapMode.IOU, 1e-6f, new float[8]))
        .hasMessage("rows [rowStart, rowEnd) must lie in [0, 2]; got [-1, 1)");
    assertThatThrownBy(() -> OverlapKernels.pairwise(TWO, 0, 3, TWO, OverlapMode.IOU, 1e-6f, new float[8]))
        .hasMessage("rows [rowStart, rowEnd) must lie in [0, 2]; got [0, 3)");
    assertThatThrownBy(() -> OverlapKernels.pairwise(new double[8], 0, 2, new double[8], OverlapMode.IOF, 1e-6,
        new double[3])).hasMessage("out must hold (rowEnd - rowStart) * m = 4 values; got 3");
  }

  @Test
  void kernelsRejectNullsAndBadEps() {
    assertThatThrownBy(() -> OverlapKernels.pairwise(null, TWO, OverlapMode.IOU, 1e-6f)).hasMessage("a must not be null");
    assertThatThrownBy(() -> OverlapKernels.aligned(TWO, TWO, null, 1e-6f)).hasMessage("mode must not be null");
    assertThatThrownBy(() -> OverlapKernels.aligned(TWO, TWO, OverlapMode.GIOU, Float.NaN))
        .hasMessage("eps must be finite and >= 0; got NaN");
    assertThatThrownBy(() -> OverlapKernels.pairwise(TWO, TWO, OverlapMode.IOU, -1f))
        .hasMessage("eps must be finite and >= 0; got -1.0");
  }

  @Test
  void validKernelCallsStillAgreeWithBboxOverlaps() {
    float[] ov = OverlapKernels.pairwise(TWO, TWO, OverlapMode.IOU, 1e-6f);
    INDArray b = Tensors.create(TWO, DataType.FLOAT, 2, 4);
    assertThat(ov).containsExactly(Tensors.toFloats(BboxOverlaps.bboxOverlaps(b, b)));
  }
}
