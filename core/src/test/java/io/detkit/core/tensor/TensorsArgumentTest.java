package io.detkit.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Tensors reports every bad argument, null included, as an IllegalArgumentException naming it. */
class TensorsArgumentTest {
  static Stream<Arguments> nullArguments() {
    return Stream.of(
        Arguments.of("gt_bboxes must not be null", (ThrowingCallable) () -> Tensors.requireNonNull(null, "gt_bboxes")),
        Arguments.of("array must not be null", (ThrowingCallable) () -> Tensors.toDoubles(null)),
        Arguments.of("array must not be null", (ThrowingCallable) () -> Tensors.toFloats(null)),
        Arguments.of("array must not be null", (ThrowingCallable) () -> Tensors.toInts(null)),
        Arguments.of("data must not be null", (ThrowingCallable) () -> Tensors.create((double[]) null, DataType.FLOAT, 0)),
        Arguments.of("type must not be null", (ThrowingCallable) () -> Tensors.create(new float[] {1}, null, 1)),
        Arguments.of("shape must not be null",
            (ThrowingCallable) () -> Tensors.create(new double[] {1}, DataType.FLOAT, (long[]) null)),
        Arguments.of("data must not be null", (ThrowingCallable) () -> Tensors.createLong((long[]) null, 0)),
        Arguments.of("data must not be null", (ThrowingCallable) () -> Tensors.createLong((int[]) null, 0)),
        Arguments.of("scores must not be null", (ThrowingCallable) () -> Tensors.requireFinite((double[]) null, "scores")),
        Arguments.of("scores must not be null",
            (ThrowingCallable) () -> Tensors.requireFinite((INDArray) null, "scores")),
        Arguments.of("type must not be null", (ThrowingCallable) () -> Tensors.isFloating(null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullArguments")
  void nullArgumentsAreIllegalArgumentsNamingTheArgument(String message, ThrowingCallable call) {
    assertThatThrownBy(call).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void finitenessOfAnArrayIsCheckedInPlaceAndNamesTheFirstBadElementOfViews() {
    INDArray wide = Tensors.create(new double[] {0, 1, 2, 9, 4, 5, Double.NaN, 9}, DataType.FLOAT, 2, 4);
    INDArray view = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
    assertThatThrownBy(() -> Tensors.requireFinite(view, "boxes")).hasMessage("boxes must be finite; element 5 is NaN");
    Tensors.requireFinite(wide.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)), "row");
    Tensors.requireFinite(Tensors.createLong(new long[] {1, 2}, 2), "ints");
    Tensors.requireFinite(Tensors.create(new double[0], DataType.DOUBLE, 0, 4), "empty");
  }

  @Test
  void requireNonNullHandsBackItsArgument() {
    String s = "x";
    assertThat(Tensors.requireNonNull(s, "s")).isSameAs(s);
  }

  @Test
  void indicesOutsideTheRangeNameTheRangeAndTheValue() {
    assertThat(Tensors.requireIndex(2, 3, "level")).isEqualTo(2);
    assertThatThrownBy(() -> Tensors.requireIndex(3, 3, "level")).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("level must be in [0, 3); got 3");
    assertThatThrownBy(() -> Tensors.requireIndex(-1, 3, "image")).hasMessage("image must be in [0, 3); got -1");
  }

  @Test
  void orderedBoxCheckRejectsRaggedArraysAndNamesTheInvertedRow() {
    assertThatThrownBy(() -> Tensors.requireOrderedBoxes(new double[5], "gt_bboxes"))
        .hasMessage("gt_bboxes must hold 4 values per box (x1, y1, x2, y2); got 5 values");
    assertThatThrownBy(() -> Tensors.requireOrderedBoxes(new double[] {0, 0, 1, 1, 5, 0, 4, 1}, "gt_bboxes"))
        .hasMessage("gt_bboxes row 1 must have x1 <= x2 and y1 <= y2; got [5.0, 0.0, 4.0, 1.0]");
  }

  @Test
  void boxChecksNameShapeAndDtype() {
    INDArray ints = Tensors.createLong(new long[8], 2, 4);
    assertThatThrownBy(() -> Tensors.requireBoxes(ints, "gt_bboxes"))
        .hasMessage("gt_bboxes must be a floating-point array; got LONG");
    INDArray wide = Tensors.create(new double[15], DataType.FLOAT, 3, 5);
    assertThatThrownBy(() -> Tensors.requireBoxes(wide, "gt_bboxes"))
        .hasMessage("gt_bboxes must be [N,4] (x1, y1, x2, y2); got [3,5]");
  }
}
