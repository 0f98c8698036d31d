package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.tensor.Tensors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bad input at the assigners' and AssignResult's public entry points is an
 * IllegalArgumentException naming the argument, never a NullPointerException or a silent result.
 */
class AssignerArgumentTest {
  private static final float[] PRIORS = {0, 0, 10, 10, 5, 5, 15, 15};
  private static final float[] GT = {0, 0, 10, 10};
  private final MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4));
  private final ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));

  private static INDArray boxes(float... xyxy) {
    return Tensors.create(xyxy, DataType.FLOAT, xyxy.length / 4, 4);
  }

  static Stream<Arguments> nullBoxArrays() {
    MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4));
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));
    return Stream.of(
        Arguments.of("bboxes must not be null", (ThrowingCallable) () -> maxIou.assign((float[]) null, GT, null, null)),
        Arguments.of("gt_bboxes must not be null",
            (ThrowingCallable) () -> maxIou.assign(new double[8], null, null, null)),
        Arguments.of("gt_bboxes must not be null", (ThrowingCallable) () -> maxIou.overlaps(PRIORS, null, null)),
        Arguments.of("bboxes must not be null",
            (ThrowingCallable) () -> atss.assign((float[]) null, null, GT, null, null)),
        Arguments.of("gt_bboxes must not be null",
            (ThrowingCallable) () -> atss.topkCandidates(PRIORS, null, null, null)),
        Arguments.of("overlaps must not be null",
            (ThrowingCallable) () -> maxIou.assignWrtOverlaps((float[]) null, 1, 2, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullBoxArrays")
  void nullBoxArraysOfThePrimitiveApiAreNamed(String message, ThrowingCallable call) {
    assertThatThrownBy(call).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void overlapsOfTheKernelApiCheckCoordinatesLikeAssign() {
    assertThatThrownBy(() -> maxIou.overlaps(new float[] {0, 0, Float.NaN, 10}, GT, null))
        .hasMessage("bboxes row 0 must be finite; got [0.0, 0.0, NaN, 10.0]");
    assertThatThrownBy(() -> maxIou.overlaps(PRIORS, new float[] {10, 0, 0, 10}, null))
        .hasMessage("gt_bboxes row 0 must have x1 <= x2 and y1 <= y2; got [10.0, 0.0, 0.0, 10.0]");
  }

  @Test
  void aPrecomputedOverlapMatrixMustBeFinite() {
    assertThatThrownBy(() -> maxIou.assignWrtOverlaps(new double[] {0.5, Double.NaN}, 1, 2, null))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("overlaps must be finite; element 1 is NaN");
    INDArray ov = Tensors.create(new float[] {0.7f, Float.NaN}, DataType.FLOAT, 1, 2);
    assertThatThrownBy(() -> maxIou.assignWrtOverlaps(ov, null)).hasMessage("overlaps must be finite; element 1 is NaN");
  }

  @Test
  void labelsMustBeWholeNonNegativeClassIndices() {
    assertThatThrownBy(() -> maxIou.assign(PRIORS, GT, null, new int[] {-1}))
        .hasMessage("gt_labels must hold class indices >= 0; element 0 is -1");
    assertThatThrownBy(() -> atss.assign(PRIORS, null, GT, null, new int[] {-2}))
        .hasMessage("gt_labels must hold class indices >= 0; element 0 is -2");
    INDArray fractional = Tensors.create(new double[] {1.5}, DataType.FLOAT, 1);
    assertThatThrownBy(() -> maxIou.assign(boxes(PRIORS), boxes(GT), null, fractional))
        .hasMessage("gt_labels must hold whole class indices; element 0 is 1.5");
    INDArray negative = Tensors.createLong(new long[] {-3}, 1);
    assertThatThrownBy(() -> atss.assign(boxes(PRIORS), boxes(GT), null, negative))
        .hasMessage("gt_labels must hold class indices >= 0; element 0 is -3");
    INDArray wholeFloats = Tensors.create(new double[] {2}, DataType.FLOAT, 1);
    assertThat(maxIou.assign(boxes(PRIORS), boxes(GT), null, wholeFloats).label(0)).isEqualTo(2);
  }

  @Test
  void ddodScoresMustBeFinite() {
    ATSSAssigner ddod = new ATSSAssigner(ATSSAssigner.Params.of(9).withAlpha(0.8));
    float[] cls = {0.1f, Float.NaN};
    assertThatThrownBy(() -> ddod.assign(PRIORS, null, GT, null, new int[] {0}, cls, 1, PRIORS))
        .hasMessage("cls_scores must be finite; element 1 is NaN");
  }

  @Test
  void assignResultRejectsNullArraysNaNOverlapsAndNegativeCounts() {
    assertThatThrownBy(() -> new AssignResult(1, null, new double[0], null))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("gt_inds must not be null");
    assertThatThrownBy(() -> new AssignResult(1, new int[0], null, null)).hasMessage("max_overlaps must not be null");
    assertThatThrownBy(() -> new AssignResult(1, new int[] {1}, new double[] {Double.NaN}, null))
        .hasMessage("max_overlaps[0] must not be NaN");
    assertThatThrownBy(() -> AssignResult.allNegative(0, -1, false)).hasMessage("num_priors must be >= 0; got -1");
    AssignResult r = new AssignResult(1, new int[] {1}, new double[] {0.5}, new int[] {3});
    assertThatThrownBy(() -> r.maxOverlapsArray(DataType.INT32))
        .hasMessage("type must be a floating-point type; got INT");
    assertThatThrownBy(() -> r.withGtsPrepended(new int[] {-1}))
        .hasMessage("gt_labels must hold class indices >= 0; element 0 is -1");
  }

  @Test
  void fromConfigOfNullNamesTheConfig() {
    assertThatThrownBy(() -> MaxIoUAssigner.fromConfig(null)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> ATSSAssigner.fromConfig(null)).hasMessage("config must not be null");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(null)).hasMessage("config must not be null");
  }
}
