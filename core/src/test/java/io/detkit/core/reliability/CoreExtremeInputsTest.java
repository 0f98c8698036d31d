package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.testing.RandomBoxes;
import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.BboxOverlaps2D;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.DeltaXYWHBBoxCoder;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.nms.Nms;
import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite but extreme inputs (coordinates of 1e6, predictions of ±1e4, zero-area and inverted boxes,
 * no ground truth, 10,000 ground truths, float64) give the right finite value or a named exception;
 * never a silent NaN.
 */
class CoreExtremeInputsTest {
  private static INDArray boxes(DataType t, double... v) {
    return Tensors.create(v, t, v.length / 4, 4);
  }

  private static void assertAllFinite(INDArray a) {
    for (double v : Tensors.toDoubles(a)) {
      assertThat(Double.isFinite(v)).as("finite value in %s", a).isTrue();
    }
  }

  @Test
  void millionPixelCoordinatesGiveExactOverlaps() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray a = boxes(t, 0, 0, 1e6, 1e6);
      INDArray b = boxes(t, 0, 0, 1e6, 5e5, 1e6, 1e6, 2e6, 2e6);
      INDArray iou = BboxOverlaps.bboxOverlaps(a, b, OverlapMode.IOU, false);
      assertThat(iou.dataType()).isEqualTo(t);
      // 1e12 is not a float32 value: float32 answers are within one float32 ulp of the exact ones.
      double tol = t == DataType.FLOAT ? 1e-7 : 0;
      assertThat(iou.getDouble(0, 0)).isCloseTo(0.5, within(tol));
      assertThat(iou.getDouble(0, 1)).isEqualTo(0.0);
      INDArray giou = BboxOverlaps.bboxOverlaps(a, b, OverlapMode.GIOU, false);
      assertThat(giou.getDouble(0, 0)).isCloseTo(0.5, within(tol));
      // Enclosing box 2e6 x 2e6, union 2e12: giou = 0 - (4e12 - 2e12) / 4e12.
      assertThat(giou.getDouble(0, 1)).isCloseTo(-0.5, within(tol));
      assertThat(BboxOverlaps.bboxOverlaps(b, a, OverlapMode.IOF, false).getDouble(0, 0)).isEqualTo(1.0);
    }
  }

  @Test
  void zeroAreaAndInvertedBoxesOverlapNothingWithoutNaN() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      // A point, a horizontal segment, an inverted box (x2 < x1) and a normal box.
      INDArray b = boxes(t, 5, 5, 5, 5, 0, 3, 10, 3, 8, 0, 2, 10, 0, 0, 10, 10);
      for (OverlapMode mode : OverlapMode.values()) {
        INDArray o = BboxOverlaps.bboxOverlaps(b, b, mode, false);
        assertAllFinite(o);
        INDArray g = BboxOverlaps.vjp(b, b, mode, false, 1e-6, Tensors.create(new double[16], t, 4, 4)
            .addi(1)).bboxes1();
        assertAllFinite(g);
        if (mode != OverlapMode.GIOU) {
          for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
              assertThat(o.getDouble(i, j)).as("%s (%d,%d)", mode, i, j).isEqualTo(0.0);
            }
          }
        }
      }
    }
  }

  @Test
  void deltaDecodeOfHugeLogitsIsClampedToTheRatioLimitAndFinite() {
    // dx = dy = ±1e4 move the centre by 1e4 prior widths; dw, dh are clamped to |log(0.016)|.
    DeltaXYWHBBoxCoder coder = new DeltaXYWHBBoxCoder();
    INDArray priors = boxes(DataType.DOUBLE, 0, 0, 10, 10);
    INDArray pred = boxes(DataType.DOUBLE, 1e4, -1e4, 1e4, -1e4);
    double maxRatio = Math.abs(Math.log(16.0 / 1000));
    double gw = 10 * Math.exp(maxRatio);
    double gh = 10 * Math.exp(-maxRatio);
    double cx = 5 + 1e5;
    double cy = 5 - 1e5;
    INDArray out = coder.decode(priors, pred, null);
    assertThat(Tensors.toDoubles(out)).containsExactly(new double[] {cx - gw / 2, cy - gh / 2, cx + gw / 2,
        cy + gh / 2}, within(1e-6));
    INDArray clipped = coder.decode(priors, pred, new int[] {600, 800});
    assertThat(Tensors.toDoubles(clipped)).containsExactly(800, 0, 800, 0);
    INDArray f32 = coder.decode(priors.castTo(DataType.FLOAT), pred.castTo(DataType.FLOAT), null);
    assertThat(Tensors.toDoubles(f32)).containsExactly(Tensors.toDoubles(out), within(0.05));
    assertAllFinite(coder.decodeVjp(priors, pred, new int[] {600, 800}, boxes(DataType.DOUBLE, 1, 1, 1, 1)));
  }

  @Test
  void otherCodersDecodeHugePredictionsToFiniteBoxes() {
    INDArray priors = boxes(DataType.FLOAT, 0, 0, 10, 10);
    INDArray pred = boxes(DataType.FLOAT, 1e4, -1e4, 1e4, -1e4);
    INDArray tblr = new TBLRBBoxCoder(1.0, false).decode(priors, pred, null);
    // top = 1e4 * h above the centre, bottom = -1e4 * h below it, and likewise left/right.
    assertThat(Tensors.toDoubles(tblr)).containsExactly(5 - 1e5, 5 - 1e5, 5 - 1e5, 5 - 1e5);
    INDArray points = Tensors.create(new float[] {5, 5}, DataType.FLOAT, 1, 2);
    INDArray dist = new DistancePointBBoxCoder(true).decode(points, pred, new int[] {100, 100});
    assertThat(Tensors.toDoubles(dist)).containsExactly(0, 100, 100, 0);
  }

  @Test
  void encodingAgainstADegenerateBoxIsANamedErrorNotAnInfiniteTarget() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray priors = boxes(t, 0, 0, 10, 10, 20, 20, 20, 30);
      INDArray gts = boxes(t, 1, 1, 9, 9, 20, 21, 25, 29);
      for (BBoxCoder coder : new BBoxCoder[] {new DeltaXYWHBBoxCoder(), new TBLRBBoxCoder()}) {
        assertThatThrownBy(() -> coder.encode(priors, gts)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("bboxes row 1 [20.0, 20.0, 20.0, 30.0]").hasMessageContaining("zero width");
      }
      INDArray zeroGt = boxes(t, 1, 1, 9, 9, 22, 22, 22, 28);
      INDArray okPriors = boxes(t, 0, 0, 10, 10, 20, 20, 30, 30);
      assertThatThrownBy(() -> new DeltaXYWHBBoxCoder().encode(okPriors, zeroGt))
          .hasMessageContaining("gt_bboxes row 1 [22.0, 22.0, 22.0, 28.0]").hasMessageContaining("-Infinity");
      // TBLR targets are distances, so a zero-size ground truth encodes to finite values.
      assertAllFinite(new TBLRBBoxCoder().encode(okPriors, zeroGt));
    }
  }

  @Test
  void decodeOverflowIsReportedRatherThanReturnedAsInfinity() {
    INDArray priors = boxes(DataType.FLOAT, 0, 0, 1e6f, 1e6f);
    INDArray pred = boxes(DataType.FLOAT, 3e38f, 0, 0, 0);
    assertThatThrownBy(() -> new DeltaXYWHBBoxCoder().decode(priors, pred, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decoded boxes overflowed: element 0");
  }

  @Test
  void noGroundTruthAndNoPriorsAreHandledByEveryAssigner() {
    INDArray priors = boxes(DataType.FLOAT, 0, 0, 10, 10, 5, 5, 15, 15);
    INDArray none = Tensors.create(new float[0], DataType.FLOAT, 0, 4);
    INDArray noLabels = Tensors.createLong(new long[0], 0);
    MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4));
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));
    for (var a : new io.detkit.core.assign.BaseAssigner[] {maxIou, atss}) {
      AssignResult r = a.assign(priors, none, null, noLabels);
      assertThat(r.gtInds()).containsExactly(0, 0);
      assertThat(r.numPositive()).isZero();
      assertThat(r.labels()).containsExactly(-1, -1);
      assertThat(a.assign(none, priors, null, null).size()).isZero();
    }
    assertThat(new DeltaXYWHBBoxCoder().encode(none, none).shape()).containsExactly(0, 4);
    assertThat(BboxOverlaps.bboxOverlaps(priors, none).shape()).containsExactly(2, 0);
  }

  @Test
  void tenThousandGroundTruthsAssignConsistently() {
    Random rnd = new Random(7);
    int k = 10_000;
    double[] gt = RandomBoxes.doubles(rnd, k, 1000, 1000, 4, 60);
    // A 16 x 16 grid of 64-pixel anchors: 256 priors, each overlapped by many ground truths.
    double[] priors = new double[4 * 256];
    for (int i = 0; i < 256; i++) {
      double x = (i % 16) * 64;
      double y = (i / 16) * 64;
      priors[4 * i] = x;
      priors[4 * i + 1] = y;
      priors[4 * i + 2] = x + 64;
      priors[4 * i + 3] = y + 64;
    }
    int[] labels = new int[k];
    for (int j = 0; j < k; j++) {
      labels[j] = j % 80;
    }
    INDArray p = Tensors.create(priors, DataType.FLOAT, 256, 4);
    INDArray g = Tensors.create(gt, DataType.FLOAT, k, 4);
    INDArray l = Tensors.createLong(labels, k);
    AssignResult r = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0))
        .assign(p, g, null, l);
    INDArray iou = BboxOverlaps.bboxOverlaps(g, p);
    float[] ious = Tensors.toFloats(iou);
    for (int i = 0; i < 256; i++) {
      int gi = r.gtInd(i);
      float best = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        best = Math.max(best, ious[j * 256 + i]);
      }
      assertThat(r.maxOverlap(i)).isEqualTo(best);
      if (gi > 0) {
        assertThat(r.label(i)).isEqualTo(labels[gi - 1]);
      }
    }
    AssignResult ra = new ATSSAssigner(ATSSAssigner.Params.of(9)).assign(p, g, null, l);
    assertThat(ra.size()).isEqualTo(256);
    for (int i = 0; i < 256; i++) {
      assertThat(ra.gtInd(i)).isBetween(0, k);
      assertThat(Double.isNaN(ra.maxOverlap(i))).isFalse();
    }
  }

  /** Bytes this thread allocated on the Java heap so far. */
  static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void aMillionPriorsAssignInMemoryLinearInThePriors() {
    int side = 1000;
    int n = side * side;
    float[] p = new float[4 * n];
    for (int i = 0; i < n; i++) {
      float x = (i % side) * 4f;
      float y = (i / side) * 4f;
      p[4 * i] = x;
      p[4 * i + 1] = y;
      p[4 * i + 2] = x + 16;
      p[4 * i + 3] = y + 16;
    }
    float[] gt = {100, 100, 140, 150, 2000, 1800, 2100, 1830, 3990, 3990, 4000, 4000};
    int[] levels = {n / 2, n / 4, n - n / 2 - n / 4};
    MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0));
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));
    long before = allocatedBytes();
    AssignResult r = maxIou.assign(p, gt, null, new int[] {0, 1, 2});
    long maxIouBytes = allocatedBytes() - before;
    before = allocatedBytes();
    AssignResult a = atss.assign(p, levels, gt, null, new int[] {0, 1, 2});
    long atssBytes = allocatedBytes() - before;
    assertThat(r.size()).isEqualTo(n);
    assertThat(r.numPositive()).isPositive();
    assertThat(a.numPositive()).isPositive();
    // The result alone is 16 bytes per prior and MaxIoU's 3 x N overlap matrix 12 more; anything
    // that grows faster than the priors (a per-pair or per-level copy per gt) breaks this bound.
    assertThat(maxIouBytes).as("MaxIoUAssigner bytes for 1e6 priors").isLessThan(160L * n);
    assertThat(atssBytes).as("ATSSAssigner bytes for 1e6 priors").isLessThan(160L * n);
  }

  @Test
  void saturatedDdodLogitsGiveTheSaturatedAnswer() {
    // sigmoid(±1e4) is exactly 1 or 0 in float32, as is sigmoid(±200): the assignments must agree.
    INDArray priors = boxes(DataType.FLOAT, 0, 0, 10, 10, 2, 2, 12, 12, 4, 4, 14, 14, 30, 30, 40, 40);
    INDArray gt = boxes(DataType.FLOAT, 1, 1, 11, 11);
    INDArray labels = Tensors.createLong(new long[] {0}, 1);
    ATSSAssigner ddod = new ATSSAssigner(ATSSAssigner.Params.of(3).withAlpha(0.8));
    for (double logit : new double[] {1e4, -1e4}) {
      float[] huge = {(float) logit, (float) logit, (float) logit, (float) logit};
      float[] big = {(float) Math.signum(logit) * 200, (float) Math.signum(logit) * 200,
          (float) Math.signum(logit) * 200, (float) Math.signum(logit) * 200};
      AssignResult a = ddod.assign(priors, null, gt, null, labels, Tensors.create(huge, DataType.FLOAT, 4, 1), priors);
      AssignResult b = ddod.assign(priors, null, gt, null, labels, Tensors.create(big, DataType.FLOAT, 4, 1), priors);
      assertThat(a.gtInds()).containsExactly(b.gtInds());
      assertThat(a.maxOverlaps()).containsExactly(b.maxOverlaps());
    }
  }

  @Test
  void nmsOfTenThousandBoxesWithSaturatedScoresIsOrderedAndFinite() {
    Random rnd = new Random(3);
    int n = 10_000;
    float[] b = RandomBoxes.floats(rnd, n, 1e6, 1e6, 1, 5e4);
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = rnd.nextBoolean() ? 1e4f : -1e4f;
    }
    int[] kept = Nms.nms(b, s, 0.5f);
    assertThat(kept).isNotEmpty();
    for (int t = 1; t < kept.length; t++) {
      assertThat(s[kept[t - 1]]).isGreaterThanOrEqualTo(s[kept[t]]);
      if (s[kept[t - 1]] == s[kept[t]]) {
        assertThat(kept[t - 1]).isLessThan(kept[t]);
      }
    }
  }

  @Test
  void fp16OverlapsRefuseToOverflowAndAgreeWhenScaled() {
    INDArray a = boxes(DataType.FLOAT, 0, 0, 300, 300);
    INDArray b = boxes(DataType.FLOAT, 0, 0, 300, 150);
    // 300 x 300 = 90,000 > 65,504.
    assertThatThrownBy(() -> new BboxOverlaps2D(1.0, "fp16").overlaps(a, b))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pass a larger scale");
    assertThat(new BboxOverlaps2D(16.0, "fp16").overlaps(a, b).getFloat(0, 0)).isCloseTo(0.5f, within(2e-3f));
    // 200 x 200 areas fit (40,000), but their sum (the union of two disjoint boxes) does not.
    INDArray c = boxes(DataType.FLOAT, 0, 0, 200, 200);
    INDArray d = boxes(DataType.FLOAT, 300, 300, 500, 500);
    assertThatThrownBy(() -> new BboxOverlaps2D(1.0, "fp16").overlaps(c, d))
        .hasMessageContaining("the largest area1 + area2");
    assertThatThrownBy(() -> new BboxOverlaps2D(1.0, "fp16").overlaps(c, d, OverlapMode.IOU, true))
        .hasMessageContaining("area1 + area2 of row 0");
    // A GIoU enclosing area that overflows on its own is caught after the fact.
    INDArray e = boxes(DataType.FLOAT, 0, 0, 10, 10);
    INDArray f = boxes(DataType.FLOAT, 290, 290, 300, 300);
    assertThatThrownBy(() -> new BboxOverlaps2D(1.0, "fp16").overlaps(e, f, OverlapMode.GIOU, false))
        .hasMessageContaining("element 0 is NaN");
    assertThat(new BboxOverlaps2D(1.0, "fp16").overlaps(e, f, OverlapMode.IOU, false).getFloat(0, 0)).isZero();
  }
}
