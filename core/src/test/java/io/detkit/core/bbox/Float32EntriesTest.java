package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.detkit.core.testing.RandomBoxes;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every float32 entry point (the {@code float[]} kernels and {@code BboxOverlaps} on FLOAT arrays),
 * which read floats in place, gives the bits of the one double kernel run in {@link Precision#F32}, on
 * ordinary boxes and on huge ones (the scaled path), in one batch item or several, in one chunk or many.
 */
class Float32EntriesTest {
  private static float[] boxes(long seed, int n, boolean huge) {
    float[] v = RandomBoxes.floats(new Random(seed), n, 300, 200, 0, 80);
    if (huge) {
      v[4 * (n / 2) + 2] = 1e37f;
      v[4 * (n / 2) + 3] = 3e37f;
    }
    return v;
  }

  private static void assertSameBits(float[] got, double[] want) {
    assertThat(got).hasSize(want.length);
    for (int i = 0; i < want.length; i++) {
      assertThat(Float.floatToRawIntBits(got[i])).as("element %d", i)
          .isEqualTo(Float.floatToRawIntBits((float) want[i]));
    }
  }

  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void floatKernelsMatchTheDoubleKernelInFloat32(OverlapMode mode) {
    for (boolean huge : new boolean[] {false, true}) {
      float[] a = boxes(5, 13, huge);
      float[] b = boxes(6, 37, false);
      float[] b13 = boxes(7, 13, false);
      double[] pairs = new double[13 * 37];
      OverlapKernels.pairwise(Tensors.widen(a), 0, 13, Tensors.widen(b), mode, 1e-6, Precision.F32, pairs);
      assertSameBits(OverlapKernels.pairwise(a, b, mode, 1e-6f), pairs);
      float[] rows = new float[5 * 37];
      OverlapKernels.pairwise(a, 4, 9, b, mode, 1e-6f, rows);
      assertSameBits(rows, java.util.Arrays.copyOfRange(pairs, 4 * 37, 9 * 37));
      double[] aligned = new double[13];
      OverlapKernels.aligned(Tensors.widen(a), Tensors.widen(b13), mode, 1e-6, Precision.F32, aligned);
      assertSameBits(OverlapKernels.aligned(a, b13, mode, 1e-6f), aligned);
    }
  }

  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void floatArraysMatchTheDoubleKernelInFloat32(OverlapMode mode) {
    for (boolean huge : new boolean[] {false, true}) {
      float[] a = boxes(8, 2 * 11, huge);
      float[] b = boxes(9, 2 * 29, false);
      INDArray a3 = Tensors.create(a, DataType.FLOAT, 2, 11, 4);
      INDArray b3 = Tensors.create(b, DataType.FLOAT, 2, 29, 4);
      double[] want = new double[2 * 11 * 29];
      for (int k = 0; k < 2; k++) {
        double[] out = new double[11 * 29];
        OverlapKernels.pairwise(Tensors.widen(java.util.Arrays.copyOfRange(a, 44 * k, 44 * (k + 1))), 0, 11,
            Tensors.widen(java.util.Arrays.copyOfRange(b, 116 * k, 116 * (k + 1))), mode, 1e-6, Precision.F32, out);
        System.arraycopy(out, 0, want, k * out.length, out.length);
      }
      // One chunk, and chunks of 2 rows.
      assertSameBits(Tensors.toFloats(BboxOverlaps.bboxOverlaps(a3, b3, mode, false, 1e-6)), want);
      assertSameBits(Tensors.toFloats(BboxOverlaps.bboxOverlaps(a3, b3, mode, false, 1e-6, 58)), want);
    }
  }
}
