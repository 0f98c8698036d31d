package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.check.Limits;
import io.detkit.core.nms.Nms;
import io.detkit.core.tensor.Tensors;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Properties at the edges of the representable range: overlaps and NMS are invariant under scaling
 * by any power of two that keeps the coordinates finite (up to 1e37 in float32 and 1e300 in
 * float64, where areas overflow), int64 ids beyond int are named errors, and products of counts
 * never wrap.
 */
class CoreExtremeValuePropertiesTest {
  /** Boxes on a quarter-pixel grid with sides of at least 1, so that no union is below eps. */
  private static double[] boxes(Random rnd, int n) {
    double[] b = new double[4 * n];
    for (int i = 0; i < n; i++) {
      double x = rnd.nextInt(4000) / 4.0;
      double y = rnd.nextInt(4000) / 4.0;
      b[4 * i] = x;
      b[4 * i + 1] = y;
      b[4 * i + 2] = x + 1 + rnd.nextInt(800) / 4.0;
      b[4 * i + 3] = y + 1 + rnd.nextInt(800) / 4.0;
    }
    return b;
  }

  private static double[] scaled(double[] b, int k) {
    double[] out = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = Math.scalb(b[i], k);
    }
    return out;
  }

  @Property(tries = 80)
  void float32OverlapsAreScaleInvariantUpToTheTopOfTheRange(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 116) int k) {
    Random rnd = new Random(seed);
    double[] a = boxes(rnd, 1 + rnd.nextInt(6));
    double[] b = boxes(rnd, 1 + rnd.nextInt(6));
    for (OverlapMode mode : OverlapMode.values()) {
      float[] plain = OverlapKernels.pairwise(Tensors.narrow(a), Tensors.narrow(b), mode, 1e-6f);
      float[] big = OverlapKernels.pairwise(Tensors.narrow(scaled(a, k)), Tensors.narrow(scaled(b, k)), mode, 1e-6f);
      for (int i = 0; i < plain.length; i++) {
        assertThat(big[i]).as("%s at 2^%d, pair %d", mode, k, i).isEqualTo(plain[i]);
      }
    }
  }

  @Property(tries = 80)
  void float64OverlapsAreScaleInvariantUpToTheTopOfTheRange(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 1010) int k) {
    Random rnd = new Random(seed);
    double[] a = boxes(rnd, 1 + rnd.nextInt(6));
    double[] b = boxes(rnd, 1 + rnd.nextInt(6));
    for (OverlapMode mode : OverlapMode.values()) {
      double[] plain = OverlapKernels.pairwise(a, b, mode, 1e-6);
      double[] big = OverlapKernels.pairwise(scaled(a, k), scaled(b, k), mode, 1e-6);
      double[] aligned = OverlapKernels.aligned(scaled(a, k), scaled(a, k), mode, 1e-6);
      for (int i = 0; i < plain.length; i++) {
        assertThat(big[i]).as("%s at 2^%d, pair %d", mode, k, i).isEqualTo(plain[i]);
      }
      for (double v : aligned) {
        assertThat(v).as("%s of a box with itself at 2^%d", mode, k).isEqualTo(1.0);
      }
    }
  }

  @Property(tries = 60)
  void nmsKeepsTheSameBoxesAtEveryMagnitude(@ForAll long seed, @ForAll @IntRange(min = 0, max = 116) int k) {
    Random rnd = new Random(seed);
    int n = 2 + rnd.nextInt(20);
    double[] b = boxes(rnd, n);
    // Every box twice: the copy must always be suppressed.
    double[] twice = new double[8 * n];
    System.arraycopy(b, 0, twice, 0, 4 * n);
    System.arraycopy(b, 0, twice, 4 * n, 4 * n);
    float[] scores = new float[2 * n];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = rnd.nextInt(1000) / 1000f;
    }
    int[] plain = Nms.nms(Tensors.narrow(twice), scores, 0.5f);
    int[] big = Nms.nms(Tensors.narrow(scaled(twice, k)), scores, 0.5f);
    assertThat(big).as("kept at 2^%d", k).containsExactly(plain);
    assertThat(plain.length).isLessThanOrEqualTo(n);
  }

  @Property(tries = 40)
  void int64LabelsBeyondIntAreNamed(@ForAll @LongRange(min = Integer.MAX_VALUE + 1L, max = Long.MAX_VALUE) long id,
      @ForAll boolean negative) {
    long v = negative ? -id - 1 : id;
    MaxIoUAssigner a = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4));
    assertThatThrownBy(() -> a.assign(Tensors.create(new double[] {0, 0, 4, 4}, DataType.FLOAT, 1, 4), null,
        Tensors.create(new double[] {0, 0, 4, 4, 1, 1, 5, 5}, DataType.FLOAT, 2, 4), null,
        Tensors.createLong(new long[] {3, v}, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gt_labels element 1 must fit an int").hasMessageContaining(Long.toString(v));
  }

  @Property(tries = 100)
  void productsOfCountsNeverWrap(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long a,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long b) {
    java.math.BigInteger exact = java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b));
    if (exact.compareTo(java.math.BigInteger.valueOf(Limits.MAX_ARRAY_LENGTH)) <= 0) {
      assertThat(Limits.arrayLength("a test product", a, b)).isEqualTo(exact.intValueExact());
    } else {
      assertThatThrownBy(() -> Limits.arrayLength("a test product", a, b))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Limits.MAX_ARRAY_LENGTH");
    }
  }
}
