package io.detkit.core.bbox;

import static io.detkit.core.bbox.BboxOverlapsTest.boxes;
import static io.detkit.core.bbox.BboxOverlapsTest.randomBoxes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BboxOverlapsGradientTest {
  private static double[] randomDoubles(Random rnd, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = rnd.nextDouble() * 2 - 1;
    }
    return out;
  }

  private static double objective(double[] a, long[] shapeA, double[] b, long[] shapeB, OverlapMode mode,
      boolean aligned, double[] upstream) {
    INDArray o = BboxOverlaps.bboxOverlaps(Tensors.create(a, DataType.DOUBLE, shapeA),
        Tensors.create(b, DataType.DOUBLE, shapeB), mode, aligned);
    double[] v = Tensors.toDoubles(o);
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      s += v[i] * upstream[i];
    }
    return s;
  }

  /** Central differences of sum(upstream * overlaps) w.r.t. every coordinate of {@code x}. */
  private static double[] numericGrad(double[] a, long[] shapeA, double[] b, long[] shapeB, OverlapMode mode,
      boolean aligned, double[] upstream, boolean wrtFirst) {
    double[] x = wrtFirst ? a : b;
    double[] out = new double[x.length];
    double h = 1e-6;
    for (int i = 0; i < x.length; i++) {
      double keep = x[i];
      x[i] = keep + h;
      double plus = objective(a, shapeA, b, shapeB, mode, aligned, upstream);
      x[i] = keep - h;
      double minus = objective(a, shapeA, b, shapeB, mode, aligned, upstream);
      x[i] = keep;
      out[i] = (plus - minus) / (2 * h);
    }
    return out;
  }

  private static void assertGradClose(double[] actual, double[] expected, String what) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("%s element %d", what, i)
          .isCloseTo(expected[i], within(1e-6 + 1e-5 * Math.abs(expected[i])));
    }
  }

  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void pairwiseGradientMatchesFiniteDifferencesInFloat64(OverlapMode mode) {
    Random rnd = new Random(11 + mode.ordinal());
    long[] shapeA = {2, 5, 4};
    long[] shapeB = {2, 6, 4};
    double[] a = toDoubles(randomBoxes(rnd, 10));
    double[] b = toDoubles(randomBoxes(rnd, 12));
    double[] up = randomDoubles(rnd, 2 * 5 * 6);
    BboxOverlaps.Gradients g = BboxOverlaps.vjp(Tensors.create(a, DataType.DOUBLE, shapeA),
        Tensors.create(b, DataType.DOUBLE, shapeB), mode, false, 1e-6, Tensors.create(up, DataType.DOUBLE, 2, 5, 6));
    assertThat(g.bboxes1().shape()).containsExactly(shapeA);
    assertThat(g.bboxes2().shape()).containsExactly(shapeB);
    assertGradClose(Tensors.toDoubles(g.bboxes1()), numericGrad(a, shapeA, b, shapeB, mode, false, up, true),
        mode + " bboxes1");
    assertGradClose(Tensors.toDoubles(g.bboxes2()), numericGrad(a, shapeA, b, shapeB, mode, false, up, false),
        mode + " bboxes2");
  }

  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void alignedGradientMatchesFiniteDifferencesInFloat64(OverlapMode mode) {
    Random rnd = new Random(21 + mode.ordinal());
    long[] shape = {9, 4};
    double[] a = toDoubles(randomBoxes(rnd, 9));
    double[] b = toDoubles(randomBoxes(rnd, 9));
    double[] up = randomDoubles(rnd, 9);
    BboxOverlaps.Gradients g = BboxOverlaps.vjp(Tensors.create(a, DataType.DOUBLE, shape),
        Tensors.create(b, DataType.DOUBLE, shape), mode, true, 1e-6, Tensors.create(up, DataType.DOUBLE, 9));
    double[] g1 = Tensors.toDoubles(g.bboxes1());
    assertThat(Arrays.stream(g1).anyMatch(v -> v != 0)).isTrue();
    assertGradClose(g1, numericGrad(a, shape, b, shape, mode, true, up, true), mode + " bboxes1");
    assertGradClose(Tensors.toDoubles(g.bboxes2()), numericGrad(a, shape, b, shape, mode, true, up, false),
        mode + " bboxes2");
  }

  @Test
  void tiedCornersSplitTheGradientInHalves() {
    // a and b share x1, y1 and y2; b is twice as wide. IoU = 100 / 200.
    BboxOverlaps.Gradients g = BboxOverlaps.vjp(boxes(DataType.DOUBLE, 0, 0, 10, 10),
        boxes(DataType.DOUBLE, 0, 0, 20, 10), OverlapMode.IOU, true, 1e-6, Nd4j.ones(DataType.DOUBLE, 1));
    assertThat(Tensors.toDoubles(g.bboxes1())).containsExactly(new double[] {-0.0125, -0.0125, 0.05, 0.0125},
        within(1e-12));
    assertThat(Tensors.toDoubles(g.bboxes2())).containsExactly(new double[] {-0.0125, 0.0125, -0.025, -0.0125},
        within(1e-12));
  }

  @Test
  void touchingBoxesStillPassGradientThroughTheZeroWidthIntersection() {
    // clamp(min=0) passes the gradient where its input is >= 0: growing a to the right would overlap b.
    BboxOverlaps.Gradients g = BboxOverlaps.vjp(boxes(DataType.DOUBLE, 0, 0, 10, 10),
        boxes(DataType.DOUBLE, 10, 0, 20, 10), OverlapMode.IOU, true, 1e-6, Nd4j.ones(DataType.DOUBLE, 1));
    assertThat(Tensors.toDoubles(g.bboxes1())).containsExactly(new double[] {0, 0, 0.05, 0}, within(1e-15));
    assertThat(Tensors.toDoubles(g.bboxes2())).containsExactly(new double[] {-0.05, 0, 0, 0}, within(1e-15));
  }

  @Test
  void unionEqualToEpsGetsHalfTheGradient() {
    INDArray a = boxes(DataType.DOUBLE, 0, 0, 1, 1);
    INDArray b = boxes(DataType.DOUBLE, 0, 0, 2, 1);
    INDArray one = Nd4j.ones(DataType.DOUBLE, 1);
    // union = 1 + 2 - 1 = 2: at eps = 2 max(union, eps) splits; at eps = 1.5 the union takes it all.
    double tie = BboxOverlaps.vjp(a, b, OverlapMode.IOU, true, 2.0, one).bboxes1().getDouble(0, 0);
    double above = BboxOverlaps.vjp(a, b, OverlapMode.IOU, true, 1.5, one).bboxes1().getDouble(0, 0);
    assertThat(tie).isEqualTo(-0.1875);
    assertThat(above).isEqualTo(-0.125);
  }

  @Test
  void alignedVjpIsTheFirstGradientOfVjp() {
    Random rnd = new Random(31);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (OverlapMode mode : OverlapMode.values()) {
        INDArray pred = boxes(type, randomBoxes(rnd, 40));
        INDArray target = boxes(type, randomBoxes(rnd, 40));
        INDArray up = Tensors.create(randomDoubles(rnd, 40), type, 40);
        INDArray full = BboxOverlaps.vjp(pred, target, mode, true, 1e-6, up).bboxes1();
        INDArray only = BboxOverlaps.alignedVjp(pred, target, mode, 1e-6, up);
        assertThat(only.dataType()).isEqualTo(type);
        assertThat(only.shape()).containsExactly(40, 4);
        assertThat(Tensors.toDoubles(only)).containsExactly(Tensors.toDoubles(full));
      }
    }
  }

  @Test
  void alignedVjpNamesPredAndTargetInErrors() {
    assertThatThrownBy(() -> BboxOverlaps.alignedVjp(Nd4j.create(DataType.FLOAT, 3, 4),
        Nd4j.create(DataType.FLOAT, 2, 4), OverlapMode.GIOU, 1e-6, Nd4j.create(DataType.FLOAT, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("is_aligned needs as many boxes in target as in pred (3); got 2 (pred [3,4], target [2,4])");
  }

  @Test
  void chunkedGradientEqualsUnchunkedBitForBit() {
    Random rnd = new Random(41);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray a = Tensors.create(randomBoxes(rnd, 2 * 19), type, 2, 19, 4);
      INDArray b = Tensors.create(randomBoxes(rnd, 2 * 13), type, 2, 13, 4);
      INDArray up = Tensors.create(randomDoubles(rnd, 2 * 19 * 13), type, 2, 19, 13);
      for (OverlapMode mode : OverlapMode.values()) {
        BboxOverlaps.Gradients whole = BboxOverlaps.vjp(a, b, mode, false, 1e-6, up, Integer.MAX_VALUE);
        for (int chunk : new int[] {1, 13, 40}) {
          BboxOverlaps.Gradients part = BboxOverlaps.vjp(a, b, mode, false, 1e-6, up, chunk);
          assertThat(Tensors.toDoubles(part.bboxes1())).containsExactly(Tensors.toDoubles(whole.bboxes1()));
          assertThat(Tensors.toDoubles(part.bboxes2())).containsExactly(Tensors.toDoubles(whole.bboxes2()));
        }
      }
    }
  }

  @Test
  void upstreamViewsAndOtherDtypesAreReadInCOrder() {
    Random rnd = new Random(51);
    INDArray a = boxes(DataType.FLOAT, randomBoxes(rnd, 6));
    INDArray b = boxes(DataType.FLOAT, randomBoxes(rnd, 4));
    INDArray base = Tensors.create(randomDoubles(rnd, 24), DataType.FLOAT, 4, 6);
    INDArray view = base.transpose();
    BboxOverlaps.Gradients fromView = BboxOverlaps.vjp(a, b, OverlapMode.GIOU, false, 1e-6, view);
    BboxOverlaps.Gradients fromCopy = BboxOverlaps.vjp(a, b, OverlapMode.GIOU, false, 1e-6, view.dup('c'));
    BboxOverlaps.Gradients fromDouble = BboxOverlaps.vjp(a, b, OverlapMode.GIOU, false, 1e-6,
        view.castTo(DataType.DOUBLE));
    assertThat(Tensors.toFloats(fromView.bboxes1())).containsExactly(Tensors.toFloats(fromCopy.bboxes1()));
    assertThat(Tensors.toFloats(fromView.bboxes2())).containsExactly(Tensors.toFloats(fromCopy.bboxes2()));
    assertThat(Tensors.toFloats(fromDouble.bboxes1())).containsExactly(Tensors.toFloats(fromCopy.bboxes1()));
    assertThat(fromView.bboxes1().dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void upstreamMustHaveTheResultShape() {
    INDArray a = Nd4j.create(DataType.FLOAT, 3, 4);
    INDArray b = Nd4j.create(DataType.FLOAT, 4, 4);
    assertThatThrownBy(() -> BboxOverlaps.vjp(a, b, OverlapMode.IOU, false, 1e-6, Nd4j.create(DataType.FLOAT, 4, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream must be [3,4]; got [4,3]");
    assertThatThrownBy(() -> BboxOverlaps.vjp(a, b, OverlapMode.IOU, false, 1e-6, Nd4j.create(DataType.INT32, 3, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream must be a floating-point array; got INT");
  }

  @Test
  void emptyInputsGiveZeroGradientsOfTheInputShapes() {
    INDArray none = Nd4j.create(DataType.FLOAT, 0, 4);
    INDArray three = boxes(DataType.FLOAT, randomBoxes(new Random(61), 3));
    BboxOverlaps.Gradients g = BboxOverlaps.vjp(three, none, OverlapMode.GIOU, false, 1e-6,
        Nd4j.create(DataType.FLOAT, 3, 0));
    assertThat(g.bboxes1().shape()).containsExactly(3, 4);
    assertThat(Tensors.toFloats(g.bboxes1())).containsOnly(0f);
    assertThat(g.bboxes2().shape()).containsExactly(0, 4);
  }

  @Test
  void hundredGtsByTwoHundredThousandAnchorsGradientRuns() {
    Random rnd = new Random(71);
    float[] gts = randomBoxes(rnd, 100);
    float[] anchors = randomBoxes(rnd, 200_000);
    INDArray up = Nd4j.ones(DataType.FLOAT, 100, 200_000);
    BboxOverlaps.Gradients g = BboxOverlaps.vjp(boxes(DataType.FLOAT, gts), boxes(DataType.FLOAT, anchors),
        OverlapMode.IOU, false, 1e-6, up);
    assertThat(g.bboxes1().shape()).containsExactly(100, 4);
    assertThat(g.bboxes2().shape()).containsExactly(200_000, 4);
    // A column's gradient is the same sum over the 100 rows when computed alone.
    int j = 123_457;
    BboxOverlaps.Gradients alone = BboxOverlaps.vjp(boxes(DataType.FLOAT, gts),
        boxes(DataType.FLOAT, Arrays.copyOfRange(anchors, 4 * j, 4 * j + 4)), OverlapMode.IOU, false, 1e-6,
        Nd4j.ones(DataType.FLOAT, 100, 1));
    assertThat(Tensors.toFloats(g.bboxes2().getRow(j).dup())).containsExactly(Tensors.toFloats(alone.bboxes2()));
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
