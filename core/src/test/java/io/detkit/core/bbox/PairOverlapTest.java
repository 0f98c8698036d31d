package io.detkit.core.bbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.precision.Precision;
import io.detkit.core.testing.RandomBoxes;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The float32 fast form of the one overlap kernel gives {@link PairOverlap#pair}'s float32 bits. */
class PairOverlapTest {
  @ParameterizedTest
  @EnumSource(OverlapMode.class)
  void floatArithmeticMatchesEmulatedFloat32BitForBit(OverlapMode mode) {
    Random rnd = new Random(17);
    float[] a = RandomBoxes.floats(rnd, 300, 100, 100, 0, 40);
    float[] b = RandomBoxes.floats(rnd, 300, 100, 100, 0, 40);
    // Degenerate and inverted boxes and touching edges, where the clamps and eps decide.
    float[] edge = {0, 0, 0, 0, 5, 5, 5, 9, 3, 3, 1, 1, 10, 10, 20, 20, 20, 10, 30, 20, 1e-3f, 1e-3f, 2e-3f, 2e-3f};
    float[] all = new float[a.length + edge.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(edge, 0, all, a.length, edge.length);
    double[] d = new double[all.length];
    for (int i = 0; i < all.length; i++) {
      d[i] = all[i];
    }
    for (float eps : new float[] {1e-6f, 0f, 5f}) {
      for (int i = 0; i < all.length / 4; i++) {
        for (int j = 0; j < b.length / 4; j += 7) {
          int q = (i + j) % (all.length / 4);
          double want = PairOverlap.pair(d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3],
              PairOverlap.area(d, i, Precision.F32), d[4 * q], d[4 * q + 1], d[4 * q + 2], d[4 * q + 3],
              PairOverlap.area(d, q, Precision.F32), mode, eps, Precision.F32);
          float got = PairOverlap.pairF32(all[4 * i], all[4 * i + 1], all[4 * i + 2], all[4 * i + 3],
              (float) PairOverlap.area(d, i, Precision.F32), all[4 * q], all[4 * q + 1], all[4 * q + 2],
              all[4 * q + 3], (float) PairOverlap.area(d, q, Precision.F32), mode, eps);
          assertThat(Float.floatToRawIntBits(got)).as("pair %d, %d, eps %s", i, q, eps)
              .isEqualTo(Float.floatToRawIntBits((float) want));
        }
      }
    }
  }
}
