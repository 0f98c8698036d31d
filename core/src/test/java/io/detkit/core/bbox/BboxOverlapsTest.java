package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.testing.RandomBoxes;
import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BboxOverlapsTest {
  private static final float[] DOC1 = {0, 0, 10, 10, 10, 10, 20, 20, 32, 32, 38, 42};
  private static final float[] DOC2 = {0, 0, 10, 20, 0, 10, 10, 19, 10, 10, 20, 20};

  static INDArray boxes(DataType type, float... xyxy) {
    return Tensors.create(xyxy, type, xyxy.length / 4, 4);
  }

  /** Random boxes with positive sizes, x1 in [0, 100), sides in [1, 60). */
  static float[] randomBoxes(Random rnd, int n) {
    return RandomBoxes.floats(rnd, n, 100, 100, 1, 59);
  }

  @Test
  void iouOfMmdetectionDocstringExample() {
    INDArray out = BboxOverlaps.bboxOverlaps(boxes(DataType.FLOAT, DOC1), boxes(DataType.FLOAT, DOC2));
    assertThat(out.shape()).containsExactly(3, 3);
    assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(Tensors.toFloats(out)).containsExactly(0.5f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f);
  }

  @Test
  void giouOfMmdetectionDocstringExampleWithEps1e7() {
    INDArray out = BboxOverlaps.bboxOverlaps(boxes(DataType.FLOAT, DOC1), boxes(DataType.FLOAT, DOC2),
        OverlapMode.GIOU, false, 1e-7);
    double[] expected = {0.5, 0, -0.5, -0.25, -0.05, 1.0, -0.8371, -0.8766, -0.8214};
    double[] actual = Tensors.toDoubles(out);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-4));
    }
  }

  @Test
  void iofDividesByTheFirstBoxArea() {
    INDArray out = BboxOverlaps.bboxOverlaps(boxes(DataType.DOUBLE, 0, 0, 10, 10),
        boxes(DataType.DOUBLE, 5, 0, 30, 10), "iof", false);
    assertThat(out.getDouble(0, 0)).isEqualTo(0.5);
    INDArray iou = BboxOverlaps.bboxOverlaps(boxes(DataType.DOUBLE, 0, 0, 10, 10),
        boxes(DataType.DOUBLE, 5, 0, 30, 10), "iou", false);
    assertThat(iou.getDouble(0, 0)).isEqualTo(50.0 / 300.0);
  }

  @Test
  void invertedBoxKeepsItsNegativeAreaInTheUnion() {
    // box 1 has area (0-10)*(10-0) = -100; the union is -100 + 100 - 0 = 0, clamped to eps; no overlap.
    INDArray out = BboxOverlaps.bboxOverlaps(boxes(DataType.DOUBLE, 10, 0, 0, 10), boxes(DataType.DOUBLE, 0, 0, 10, 10),
        OverlapMode.GIOU, true, 1e-6);
    // enclosing box 10 x 10 = 100, union clamped to 1e-6: giou = 0 - (100 - 1e-6) / 100.
    assertThat(out.getDouble(0)).isEqualTo(0 - (100 - 1e-6) / 100);
  }

  @Test
  void alignedEqualsTheDiagonalOfPairwiseBitForBit() {
    Random rnd = new Random(1);
    float[] a = randomBoxes(rnd, 50);
    float[] b = randomBoxes(rnd, 50);
    for (OverlapMode mode : OverlapMode.values()) {
      for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        INDArray all = BboxOverlaps.bboxOverlaps(boxes(type, a), boxes(type, b), mode, false);
        INDArray diag = BboxOverlaps.bboxOverlaps(boxes(type, a), boxes(type, b), mode, true);
        assertThat(diag.shape()).containsExactly(50);
        assertThat(diag.dataType()).isEqualTo(type);
        for (int i = 0; i < 50; i++) {
          assertThat(diag.getDouble(i)).as("%s %s pair %d", mode, type, i).isEqualTo(all.getDouble(i, i));
        }
      }
    }
  }

  @Test
  void float64InputIsComputedAndReturnedInFloat64() {
    INDArray a = boxes(DataType.DOUBLE, 0, 0, 3, 3);
    INDArray b = boxes(DataType.DOUBLE, 1, 1, 4, 4);
    INDArray out = BboxOverlaps.bboxOverlaps(a, b);
    assertThat(out.dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(out.getDouble(0, 0)).isEqualTo(4.0 / 14.0);
    INDArray f = BboxOverlaps.bboxOverlaps(a.castTo(DataType.FLOAT), b.castTo(DataType.FLOAT));
    assertThat(f.getDouble(0, 0)).isEqualTo((double) (4f / 14f));
  }

  @Test
  void batchedInputsMatchEachSliceAndKeepTheBatchShape() {
    Random rnd = new Random(2);
    float[] a = randomBoxes(rnd, 2 * 3 * 4);
    float[] b = randomBoxes(rnd, 2 * 3 * 5);
    INDArray a4 = Tensors.create(a, DataType.FLOAT, 2, 3, 4, 4);
    INDArray b4 = Tensors.create(b, DataType.FLOAT, 2, 3, 5, 4);
    INDArray out = BboxOverlaps.bboxOverlaps(a4, b4, OverlapMode.GIOU, false);
    assertThat(out.shape()).containsExactly(2, 3, 4, 5);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        INDArray slice = BboxOverlaps.bboxOverlaps(a4.slice(i).slice(j).dup(), b4.slice(i).slice(j).dup(),
            OverlapMode.GIOU, false);
        assertThat(Tensors.toFloats(out.slice(i).slice(j).dup())).containsExactly(Tensors.toFloats(slice));
      }
    }
    INDArray b4a = Tensors.create(randomBoxes(rnd, 24), DataType.FLOAT, 2, 3, 4, 4);
    assertThat(BboxOverlaps.bboxOverlaps(a4, b4a, OverlapMode.IOU, true).shape()).containsExactly(2, 3, 4);
  }

  @Test
  void emptyInputsGiveCorrectlyShapedEmptyResults() {
    INDArray none = Nd4j.create(DataType.FLOAT, 0, 4);
    INDArray three = boxes(DataType.FLOAT, randomBoxes(new Random(3), 3));
    assertThat(BboxOverlaps.bboxOverlaps(none, three).shape()).containsExactly(0, 3);
    assertThat(BboxOverlaps.bboxOverlaps(three, none).shape()).containsExactly(3, 0);
    assertThat(BboxOverlaps.bboxOverlaps(none, none).shape()).containsExactly(0, 0);
    assertThat(BboxOverlaps.bboxOverlaps(none, none, OverlapMode.IOU, true).shape()).containsExactly(0);
    INDArray batchedNone = Nd4j.create(DataType.DOUBLE, 2, 0, 4);
    INDArray batchedTwo = Nd4j.create(DataType.DOUBLE, 2, 2, 4);
    INDArray out = BboxOverlaps.bboxOverlaps(batchedNone, batchedTwo, OverlapMode.GIOU, false);
    assertThat(out.shape()).containsExactly(2, 0, 2);
    assertThat(out.dataType()).isEqualTo(DataType.DOUBLE);
    // As in MMDetection, an empty first dim lets any last dim through.
    assertThat(BboxOverlaps.bboxOverlaps(Nd4j.create(DataType.FLOAT, 0, 5), three).shape()).containsExactly(0, 3);
  }

  @Test
  void chunkedResultEqualsUnchunkedBitForBit() {
    Random rnd = new Random(4);
    INDArray a = Tensors.create(randomBoxes(rnd, 2 * 37), DataType.FLOAT, 2, 37, 4);
    INDArray b = Tensors.create(randomBoxes(rnd, 2 * 23), DataType.FLOAT, 2, 23, 4);
    for (OverlapMode mode : OverlapMode.values()) {
      for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        INDArray a1 = a.castTo(type);
        INDArray b1 = b.castTo(type);
        INDArray whole = BboxOverlaps.bboxOverlaps(a1, b1, mode, false, 1e-6, Integer.MAX_VALUE);
        for (int chunk : new int[] {1, 23, 50, 24 * 23}) {
          INDArray chunked = BboxOverlaps.bboxOverlaps(a1, b1, mode, false, 1e-6, chunk);
          assertThat(Tensors.toDoubles(chunked)).as("%s %s chunk %d", mode, type, chunk)
              .containsExactly(Tensors.toDoubles(whole));
        }
        // The unchunked reference straight from the kernel.
        double[] ref = new double[0];
        for (int k = 0; k < 2; k++) {
          double[] part = OverlapKernels.pairwise(Tensors.toDoubles(a1.slice(k).dup()),
              Tensors.toDoubles(b1.slice(k).dup()), mode, 1e-6);
          if (type == DataType.FLOAT) {
            float[] pf = OverlapKernels.pairwise(Tensors.toFloats(a1.slice(k).dup()),
                Tensors.toFloats(b1.slice(k).dup()), mode, 1e-6f);
            for (int i = 0; i < part.length; i++) {
              part[i] = pf[i];
            }
          }
          double[] joined = new double[ref.length + part.length];
          System.arraycopy(ref, 0, joined, 0, ref.length);
          System.arraycopy(part, 0, joined, ref.length, part.length);
          ref = joined;
        }
        assertThat(Tensors.toDoubles(whole)).containsExactly(ref);
      }
    }
  }

  @Test
  void hundredGtsByTwoHundredThousandAnchorsRun() {
    Random rnd = new Random(5);
    float[] gts = randomBoxes(rnd, 100);
    float[] anchors = randomBoxes(rnd, 200_000);
    INDArray out = BboxOverlaps.bboxOverlaps(boxes(DataType.FLOAT, gts), boxes(DataType.FLOAT, anchors));
    assertThat(out.shape()).containsExactly(100, 200_000);
    for (int[] ij : new int[][] {{0, 0}, {17, 123_456}, {99, 199_999}, {50, 1_048_575 % 200_000}}) {
      float[] a = java.util.Arrays.copyOfRange(gts, 4 * ij[0], 4 * ij[0] + 4);
      float[] b = java.util.Arrays.copyOfRange(anchors, 4 * ij[1], 4 * ij[1] + 4);
      assertThat(out.getFloat(ij[0], ij[1])).isEqualTo(OverlapKernels.pairwise(a, b, OverlapMode.IOU, 1e-6f)[0]);
    }
  }

  @Test
  void wrongShapesAreRejectedNamingArgumentExpectedAndActual() {
    INDArray ok = boxes(DataType.FLOAT, DOC1);
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(Nd4j.create(DataType.FLOAT, 3, 5), ok))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes1 must be [..., N, 4] (x1, y1, x2, y2); got [3,5]");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok, Nd4j.create(DataType.FLOAT, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes2 must be [..., N, 4] (x1, y1, x2, y2); got [4]");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(null, ok))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes1 must not be null");
  }

  @Test
  void nonFloatAndMixedDtypesAreRejected() {
    INDArray ok = boxes(DataType.FLOAT, DOC1);
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok, ok.castTo(DataType.INT32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes2 must be a floating-point array; got INT");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok.castTo(DataType.FLOAT16), ok))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes1 must be FLOAT or DOUBLE; got HALF");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok, ok.castTo(DataType.DOUBLE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes2 must have the dtype of bboxes1 (FLOAT); got DOUBLE");
  }

  @Test
  void nonFiniteCoordinatesAreRejectedNamingTheFirstBadIndex() {
    float[] bad = DOC2.clone();
    bad[6] = Float.NaN;
    bad[9] = Float.POSITIVE_INFINITY;
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(boxes(DataType.FLOAT, DOC1), boxes(DataType.FLOAT, bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes2 must be finite; element 6 is NaN");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(boxes(DataType.DOUBLE, bad), boxes(DataType.DOUBLE, DOC1),
        OverlapMode.IOU, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes1 must be finite; element 6 is NaN");
  }

  @Test
  void alignedModeNeedsEqualCounts() {
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(boxes(DataType.FLOAT, DOC1),
        Nd4j.create(DataType.FLOAT, 4, 4), OverlapMode.IOU, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("is_aligned needs as many boxes in bboxes2 as in bboxes1 (3); got 4 (bboxes1 [3,4], bboxes2 [4,4])");
  }

  @Test
  void batchDimsMustMatch() {
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(Nd4j.create(DataType.FLOAT, 2, 3, 4),
        Nd4j.create(DataType.FLOAT, 3, 3, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bboxes2 must have the batch dims of bboxes1 [2]; got [3] (bboxes1 [2,3,4], bboxes2 [3,3,4])");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(Nd4j.create(DataType.FLOAT, 2, 3, 4),
        Nd4j.create(DataType.FLOAT, 3, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bboxes2 must have the batch dims of bboxes1 [2]; got []");
  }

  @Test
  void unknownModeAndBadEpsAreRejected() {
    INDArray ok = boxes(DataType.FLOAT, DOC1);
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok, ok, "diou", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mode must be one of 'iou', 'iof', 'giou'; got 'diou'");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok, ok, (OverlapMode) null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mode must be one of 'iou', 'iof', 'giou'; got null");
    assertThatThrownBy(() -> BboxOverlaps.bboxOverlaps(ok, ok, OverlapMode.IOU, false, -1e-6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eps must be finite and >= 0; got -1.0E-6");
  }
}
