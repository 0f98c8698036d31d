package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FusedFocal#meanLevel}, reading a dense head level {@code [N, A*C, H, W]} in place, gives
 * the bits of {@link FocalLoss#forward} on the same level permuted to rows (value and every
 * gradient element), across block boundaries, images, class counts that do not fill a SIMD vector
 * (rows gathered from the planes) and that do (computed plane by plane, runs cut mid-chunk), and
 * both dtypes; it refuses mismatched lengths and leaves labels out of range to the general path.
 */
class FusedFocalMeanLevelTest {
  private static final FocalLoss LOSS = FocalLoss.TYPE.builder().build();

  @ParameterizedTest
  @CsvSource({"2, 3, 80, 13, 17, FLOAT", "1, 9, 5, 20, 11, FLOAT", "2, 1, 32, 37, 41, FLOAT", "1, 2, 16, 40, 60, FLOAT", "2, 1, 80, 31, 40, DOUBLE", "3, 2, 7, 9, 9, DOUBLE"})
  void inPlaceLevelMatchesTheRowsPipelineBitForBit(int n, int a, int c, int h, int w, DataType dtype) {
    Random r = new Random(n * 1000L + a * 100L + c);
    int rows = n * h * w * a;
    double[] x = new double[n * a * c * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian() * 3;
    }
    int[] labels = new int[rows];
    double[] weights = new double[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = r.nextInt(10) == 0 ? r.nextInt(c) : c;
      weights[i] = r.nextInt(20) == 0 ? 0.0 : 1.0 / 3;
    }
    INDArray nchw = Tensors.create(x, dtype, n, (long) a * c, h, w);
    INDArray grad = Nd4j.createUninitialized(dtype, nchw.shape(), 'c');
    OptionalDouble v = FusedFocal.meanLevel(nchw, a, labels, weights, 2.0, 0.25, 1.0, 37, grad);

    INDArray rowView = nchw.permute(0, 2, 3, 1).dup('c').reshape('c', rows, c);
    long[] longLabels = new long[rows];
    for (int i = 0; i < rows; i++) {
      longLabels[i] = labels[i];
    }
    LossResult ref = LOSS.forward(LossArgs.of(rowView, Tensors.createLong(longLabels, rows))
        .weight(Tensors.create(weights, dtype, rows)).avgFactor(37));
    INDArray refNchw = ref.gradPred().reshape('c', n, h, w, (long) a * c).permute(0, 3, 1, 2).dup('c');

    assertThat(v).isPresent();
    assertThat(Double.doubleToRawLongBits(v.getAsDouble())).isEqualTo(Double.doubleToRawLongBits(ref.scalar()));
    double[] got = Tensors.toDoubles(grad);
    double[] want = Tensors.toDoubles(refNchw);
    for (int i = 0; i < want.length; i++) {
      assertThat(Double.doubleToRawLongBits(got[i])).as("gradient element %d", i)
          .isEqualTo(Double.doubleToRawLongBits(want[i]));
    }
  }

  @Test
  void mismatchedLengthsAndBadAvgFactorAreRefusedAndStrayLabelsGoToTheGeneralPath() {
    INDArray x = Nd4j.zeros(DataType.FLOAT, 1, 6, 2, 2);
    INDArray g = Nd4j.zeros(DataType.FLOAT, 1, 6, 2, 2);
    assertThatThrownBy(() -> FusedFocal.meanLevel(x, 2, new int[5], new double[8], 2, 0.25, 1, 1, g))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one value per row (8)");
    assertThatThrownBy(() -> FusedFocal.meanLevel(x, 2, new int[8], new double[8], 2, 0.25, 1, -1, g))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avg_factor");
    int[] stray = new int[8];
    stray[3] = 4;
    assertThat(FusedFocal.meanLevel(x, 2, stray, new double[8], 2, 0.25, 1, 1, g)).isEmpty();
  }

  /**
   * A non-finite logit leaves the sum non-finite, so the general pipeline decides, whether its
   * vector of locations holds a positive of its class or only negatives (the plane kernel's two
   * element paths), and whatever its row's weight.
   */
  @ParameterizedTest
  @CsvSource({"NaN, true", "NaN, false", "Infinity, true", "Infinity, false", "-Infinity, true",
      "-Infinity, false"})
  void aNonFiniteLogitGoesToTheGeneralPath(float bad, boolean positiveInItsVector) {
    int c = 32;
    int h = 8;
    int w = 8;
    INDArray x = Nd4j.zeros(DataType.FLOAT, 1, c, h, w);
    INDArray g = Nd4j.zeros(DataType.FLOAT, 1, c, h, w);
    int[] labels = new int[h * w];
    java.util.Arrays.fill(labels, c);
    double[] weights = new double[h * w];
    java.util.Arrays.fill(weights, 1.0);
    int row = 5;
    int cls = 3;
    // Row 6 shares row 5's vector of locations whatever the lane count; it is class 3's positive or not.
    labels[6] = positiveInItsVector ? cls : c;
    weights[row] = 0.0;
    x.putScalar(new long[] {0, cls, 0, row}, bad);
    assertThat(FusedFocal.meanLevel(x, 1, labels, weights, 2, 0.25, 1, 1, g)).isEmpty();
  }
}
