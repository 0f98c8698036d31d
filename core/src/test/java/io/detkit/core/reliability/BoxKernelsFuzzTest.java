package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.detkit.core.anchor.AnchorGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.nms.Nms;
import io.detkit.core.tensor.Tensors;
import java.time.Duration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Jazzer fuzz targets for core's numeric entry points with arbitrary values: any float or double
 * (NaN, infinities, subnormals, the dtype's maximum), any count. The contract: a finite result or an
 * {@link IllegalArgumentException}; no other exception, no NaN or infinity, no call over 10 s (a
 * count that escaped its limit would allocate or loop far longer).
 *
 * <p>Under {@code mvn verify} the targets replay the seeds in
 * {@code src/test/resources/io/detkit/core/reliability/BoxKernelsFuzzTestInputs/<method>/}; to fuzz
 * (as {@link ConfigLoaderFuzzTest} describes):
 * {@code JAZZER_FUZZ=1 mvn -B -o -pl core test -Djazzer.hooks=true -Dtest='BoxKernelsFuzzTest#overlapsAndNms'}.
 */
class BoxKernelsFuzzTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static void finiteOrIllegalArgument(Runnable call) {
    assertTimeoutPreemptively(LIMIT, () -> {
      try {
        call.run();
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    });
  }

  private static void assertFinite(INDArray a) {
    for (double v : Tensors.toDoubles(a)) {
      assertThat(Double.isFinite(v)).as("finite element of %s", Tensors.shapeOf(a)).isTrue();
    }
  }

  private static double value(FuzzedDataProvider data, boolean f32) {
    return f32 ? data.consumeFloat() : data.consumeDouble();
  }

  private static void order(double[] boxes) {
    for (int i = 0; i + 3 < boxes.length; i += 4) {
      for (int k = 0; k < 2; k++) {
        double lo = Math.min(boxes[i + k], boxes[i + k + 2]);
        double hi = Math.max(boxes[i + k], boxes[i + k + 2]);
        boxes[i + k] = lo;
        boxes[i + k + 2] = hi;
      }
    }
  }

  @FuzzTest(maxDuration = "10m")
  void overlapsAndNms(FuzzedDataProvider data) {
    boolean f32 = data.consumeBoolean();
    DataType t = f32 ? DataType.FLOAT : DataType.DOUBLE;
    int n = data.consumeInt(0, 12);
    int m = data.consumeInt(0, 12);
    OverlapMode mode = data.pickValue(OverlapMode.values());
    double eps = data.consumeBoolean() ? 1e-6 : value(data, f32);
    double[] a = new double[4 * n];
    double[] b = new double[4 * m];
    for (int i = 0; i < a.length; i++) {
      a[i] = value(data, f32);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = value(data, f32);
    }
    // Ordered boxes: an inverted box's negative area can push GIoU to -infinity, as in MMDetection
    // (listed in docs/mmdet-differences.md).
    order(a);
    order(b);
    float thr = data.consumeFloat();
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      scores[i] = data.consumeFloat();
    }
    finiteOrIllegalArgument(() -> assertFinite(BboxOverlaps.bboxOverlaps(Tensors.create(a, t, n, 4),
        Tensors.create(b, t, m, 4), mode, false, eps)));
    if (n == m) {
      finiteOrIllegalArgument(() -> assertFinite(BboxOverlaps.bboxOverlaps(Tensors.create(a, t, n, 4),
          Tensors.create(b, t, m, 4), mode, true, eps)));
    }
    finiteOrIllegalArgument(() -> {
      int[] kept = Nms.nms(Tensors.narrow(a), scores, thr);
      assertThat(kept.length).isLessThanOrEqualTo(n);
    });
  }

  @FuzzTest(maxDuration = "10m")
  void anchorGenerator(FuzzedDataProvider data) {
    double stride = data.consumeDouble();
    double ratio = data.consumeDouble();
    double octaveBase = data.consumeDouble();
    int perOctave = data.consumeInt();
    int h = data.consumeInt(-2, 1 << 14);
    int w = data.consumeInt(-2, 1 << 14);
    finiteOrIllegalArgument(() -> {
      AnchorGenerator g = new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(stride),
          new double[] {ratio, 1}, octaveBase, perOctave));
      float[] priors = g.gridPriorsFlat(0, h, w);
      for (float v : priors) {
        assertThat(Float.isFinite(v)).as("finite prior").isTrue();
      }
    });
  }
}
