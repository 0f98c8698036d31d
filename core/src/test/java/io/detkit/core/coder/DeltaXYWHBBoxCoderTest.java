package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class DeltaXYWHBBoxCoderTest {
  private static final double[] ROIS = {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 5, 5, 5, 5};
  private static final double[] DELTAS = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 2, -1, 0.7, -1.9, -0.5, 0.3};

  @Test
  void decodeMatchesMmdetectionDocstringWithMaxShape() {
    double[] out = new DeltaXYWHBBoxCoder().decode(ROIS, DELTAS, new int[] {32, 32, 3});
    double[] expected = {0, 0, 1, 1, 0.1409, 0.1409, 2.8591, 2.8591, 0, 0.3161, 4.1945, 0.6839, 5, 5, 5, 5};
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).as("element %d", i).isCloseTo(expected[i], within(1e-4));
    }
  }

  @Test
  void decodeWithoutMaxShapeLeavesBoxesOutsideTheImage() {
    double[] out = new DeltaXYWHBBoxCoder().decode(ROIS, DELTAS, null);
    // Row 2: gw = exp(2), centre 0.5, so x1 = 0.5 - exp(2) / 2 < 0 survives without clipping.
    assertThat(out[8]).isCloseTo(0.5 - Math.exp(2) / 2, within(1e-12));
    assertThat(out[10]).isCloseTo(0.5 + Math.exp(2) / 2, within(1e-12));
    DeltaXYWHBBoxCoder noClip = new DeltaXYWHBBoxCoder(new double[4], new double[] {1, 1, 1, 1}, false, false, 32);
    assertThat(noClip.decode(ROIS, DELTAS, new int[] {2, 2})).containsExactly(out);
  }

  @Test
  void whRatioClipBoundsTheSizeDeltas() {
    DeltaXYWHBBoxCoder coder = new DeltaXYWHBBoxCoder();
    double[] roi = {0, 0, 10, 10};
    // |log(16/1000)| bounds dw: the width grows at most 62.5 times and shrinks at most to 1/62.5.
    double[] big = coder.decode(roi, new double[] {0, 0, 10, -10}, null);
    assertThat(big[2] - big[0]).isCloseTo(625, within(1e-9));
    assertThat(big[3] - big[1]).isCloseTo(0.16, within(1e-12));
    double[] tenth = coder.decode(roi, new double[] {0, 0, 10, -10}, null, 0.1);
    assertThat(tenth[2] - tenth[0]).isCloseTo(100, within(1e-9));
    assertThat(tenth[3] - tenth[1]).isCloseTo(1, within(1e-12));
    double[] grad = coder.decodeVjp(roi, new double[] {0, 0, 10, -10}, null, new double[] {-1, -1, 1, 1});
    assertThat(grad[2]).isZero();
    assertThat(grad[3]).isZero();
  }

  @Test
  void ctrClampLimitsTheShiftAndOnlyCapsGrowth() {
    DeltaXYWHBBoxCoder coder = new DeltaXYWHBBoxCoder(new double[4], new double[] {1, 1, 1, 1}, true, true, 32);
    double[] out = coder.decode(new double[] {0, 0, 10, 10}, new double[] {10, -0.5, -10, 10}, null);
    // dx * pw = 100 is clamped to 32; dy * ph = -5 passes; dw = -10 is not clamped from below.
    assertThat((out[0] + out[2]) / 2).isCloseTo(5 + 32, within(1e-9));
    assertThat((out[1] + out[3]) / 2).isCloseTo(0, within(1e-9));
    assertThat(out[2] - out[0]).isCloseTo(10 * Math.exp(-10), within(1e-12));
    assertThat(out[3] - out[1]).isCloseTo(625, within(1e-9));
    double[] grad = coder.decodeVjp(new double[] {0, 0, 10, 10}, new double[] {10, -0.5, -10, 10}, null,
        new double[] {1, 1, 0, 3});
    assertThat(grad[0]).isZero();
    assertThat(grad[1]).isCloseTo(10 * 4, within(1e-9));
    assertThat(grad[2]).isCloseTo(-0.5 * 10 * Math.exp(-10), within(1e-15));
    assertThat(grad[3]).isZero();
  }

  @Test
  void encodeDecodeRoundTripWithoutClipping() {
    Random r = new Random(7);
    DeltaXYWHBBoxCoder coder = DeltaXYWHBBoxCoder.of(new double[] {0.1, -0.05, 0, 0.2},
        new double[] {0.1, 0.1, 0.2, 0.2});
    double[] priors = GradientCheck.randomBoxes(r, 30, 100);
    double[] gts = GradientCheck.randomBoxes(r, 30, 100);
    double[] back = coder.decode(priors, coder.encode(priors, gts), null);
    for (int i = 0; i < gts.length; i++) {
      assertThat(back[i]).isCloseTo(gts[i], within(1e-3));
    }
    float[] backF = coder.decode(toFloat(priors), coder.encode(toFloat(priors), toFloat(gts)), null);
    for (int i = 0; i < gts.length; i++) {
      assertThat((double) backF[i]).isCloseTo((float) gts[i], within(1e-3));
    }
  }

  @Test
  void encodeIsFloat32EvenForFloat64Input() {
    DeltaXYWHBBoxCoder coder = DeltaXYWHBBoxCoder.of(new double[4], new double[] {0.1, 0.1, 0.2, 0.2});
    double[] priors = {0.1, 0.2, 10.3, 20.7};
    double[] gts = {1.1, 2.3, 9.9, 18.1};
    INDArray out = coder.encode(Tensors.create(priors, DataType.DOUBLE, 1, 4), Tensors.create(gts, DataType.DOUBLE, 1, 4));
    assertThat(out.dataType()).isEqualTo(DataType.DOUBLE);
    float[] f32 = coder.encode(toFloat(priors), toFloat(gts));
    double[] d = out.reshape(4).toDoubleVector();
    for (int i = 0; i < 4; i++) {
      assertThat(d[i]).isEqualTo((double) f32[i]);
    }
    assertThat(coder.encode(priors, gts)).containsExactly(d);
  }

  @Test
  void severalBoxesPerPriorDecodeLikeSeparateColumns() {
    Random r = new Random(3);
    DeltaXYWHBBoxCoder coder = new DeltaXYWHBBoxCoder();
    double[] priors = GradientCheck.randomBoxes(r, 5, 50);
    double[] pred = GradientCheck.uniform(r, 5 * 8, -1, 1);
    double[] both = coder.decode(priors, pred, new int[] {60, 70});
    for (int k = 0; k < 2; k++) {
      double[] single = new double[20];
      for (int i = 0; i < 5; i++) {
        System.arraycopy(pred, 8 * i + 4 * k, single, 4 * i, 4);
      }
      double[] out = coder.decode(priors, single, new int[] {60, 70});
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 4; j++) {
          assertThat(both[8 * i + 4 * k + j]).isEqualTo(out[4 * i + j]);
        }
      }
    }
    INDArray nd = coder.decode(Tensors.create(priors, DataType.DOUBLE, 5, 4), Tensors.create(pred, DataType.DOUBLE, 5, 8),
        new int[] {60, 70});
    assertThat(nd.shape()).containsExactly(5, 8);
  }

  @Test
  void decodeVjpMatchesFiniteDifferencesInEveryMode() {
    Random r = new Random(11);
    DeltaXYWHBBoxCoder[] coders = {
      new DeltaXYWHBBoxCoder(),
      DeltaXYWHBBoxCoder.of(new double[] {0.1, -0.05, 0, 0.2}, new double[] {0.1, 0.1, 0.2, 0.2}),
      new DeltaXYWHBBoxCoder(new double[4], new double[] {1, 1, 1, 1}, true, true, 8),
      new DeltaXYWHBBoxCoder(new double[4], new double[] {0.5, 0.5, 1, 1}, false, false, 32)
    };
    for (DeltaXYWHBBoxCoder coder : coders) {
      for (int[] maxShape : new int[][] {null, {45, 55}}) {
        double[] priors = GradientCheck.randomBoxes(r, 12, 40);
        double[] pred = GradientCheck.uniform(r, 12 * 8, -2, 2);
        pred[2] = 6;
        pred[7] = -6;
        double[] upstream = GradientCheck.uniform(r, pred.length, -1, 1);
        double[] analytic = coder.decodeVjp(priors, pred, maxShape, 0.05, upstream);
        int checked = GradientCheck.check(coder, priors, pred, maxShape, upstream, analytic,
            (p, d, m) -> coder.decode(p, d, m, 0.05));
        assertThat(checked).as("%s with max_shape %s", coder, maxShape).isGreaterThan(pred.length * 9 / 10);
      }
    }
  }

  @Test
  void ndArrayAndPrimitivePathsAgreeInFloat32() {
    Random r = new Random(5);
    DeltaXYWHBBoxCoder coder = DeltaXYWHBBoxCoder.of(new double[] {0, 0, 0.1, 0}, new double[] {0.1, 0.1, 0.2, 0.2});
    float[] priors = toFloat(GradientCheck.randomBoxes(r, 7, 30));
    float[] pred = toFloat(GradientCheck.uniform(r, 28, -3, 3));
    float[] up = toFloat(GradientCheck.uniform(r, 28, -1, 1));
    INDArray out = coder.decode(Tensors.create(priors, DataType.FLOAT, 7, 4), Tensors.create(pred, DataType.FLOAT, 7, 4),
        new int[] {30, 40});
    assertThat(out.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(out.reshape(28).toFloatVector()).containsExactly(coder.decode(priors, pred, new int[] {30, 40}));
    INDArray grad = coder.decodeVjp(Tensors.create(priors, DataType.FLOAT, 7, 4),
        Tensors.create(pred, DataType.FLOAT, 7, 4), new int[] {30, 40}, Tensors.create(up, DataType.FLOAT, 7, 4));
    assertThat(grad.reshape(28).toFloatVector()).containsExactly(coder.decodeVjp(priors, pred, new int[] {30, 40}, up));
  }

  @Test
  void emptyInputsGiveEmptyOutputs() {
    DeltaXYWHBBoxCoder coder = new DeltaXYWHBBoxCoder();
    INDArray none = Tensors.create(new float[0], DataType.FLOAT, 0, 4);
    assertThat(coder.decode(none, Tensors.create(new float[0], DataType.FLOAT, 0, 8), new int[] {5, 5}).shape())
        .containsExactly(0, 8);
    assertThat(coder.encode(none, none).shape()).containsExactly(0, 4);
  }

  @Test
  void invalidArgumentsAreRejectedWithTheirNames() {
    DeltaXYWHBBoxCoder coder = new DeltaXYWHBBoxCoder();
    INDArray priors = Tensors.create(new float[12], DataType.FLOAT, 3, 4);
    assertThatThrownBy(() -> coder.decode(priors, Tensors.create(new float[15], DataType.FLOAT, 3, 5), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pred_bboxes must be [3,4*k]")
        .hasMessageContaining("got [3,5]");
    assertThatThrownBy(() -> coder.encode(priors, Tensors.create(new float[8], DataType.FLOAT, 2, 4)))
        .hasMessageContaining("gt_bboxes must have one row per prior");
    assertThatThrownBy(() -> coder.decode(priors, priors, new int[] {5})).hasMessageContaining("max_shape");
    assertThatThrownBy(() -> coder.decode(priors, priors, null, 0)).hasMessageContaining("wh_ratio_clip");
    assertThatThrownBy(() -> coder.decodeVjp(priors, priors, null, Tensors.create(new float[4], DataType.FLOAT, 1, 4)))
        .hasMessageContaining("upstream must be [3,4]");
    assertThatThrownBy(() -> new DeltaXYWHBBoxCoder(new double[3], new double[] {1, 1, 1, 1}, true, false, 32))
        .hasMessageContaining("target_means must have 4 values");
    assertThatThrownBy(() -> DeltaXYWHBBoxCoder.of(new double[4], new double[] {1, 0, 1, 1}))
        .hasMessageContaining("target_stds[1] must be finite and non-zero");
  }

  static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
