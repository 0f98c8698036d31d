package io.detkit.core.anchor;

import io.detkit.core.check.Args;
import io.detkit.core.check.Limits;
import java.util.Arrays;
import java.util.List;

/**
 * The checks and derived values of {@link AnchorGenerator.Params}: where the base anchors
 * are centred, which scales they take ({@code scales}, or the octave scales), and their base sizes.
 * Every error is an {@link IllegalArgumentException} naming MMDetection's parameter.
 */
final class AnchorParams {
  static final String BOTH_SCALES =
      "scales and octave_base_scale with scales_per_octave cannot be set at the same time; give one of them";

  private AnchorParams() {}

  /** {@code centers} (null: placed by {@code center_offset}) and {@code center_offset} for {@code levels}. */
  static void checkCenters(List<double[]> centers, double centerOffset, int levels) {
    if (centerOffset != 0 && centers != null) {
      throw new IllegalArgumentException("centers cannot be set when center_offset != 0; got center_offset="
          + centerOffset);
    }
    if (!(centerOffset >= 0 && centerOffset <= 1)) {
      throw new IllegalArgumentException("center_offset must be in [0, 1]; got " + centerOffset);
    }
    if (centers == null) {
      return;
    }
    if (centers.size() != levels) {
      throw new IllegalArgumentException("centers must have one (x, y) per level (" + levels + " strides); got "
          + centers.size());
    }
    for (int i = 0; i < levels; i++) {
      double[] c = centers.get(i);
      if (c == null || c.length != 2 || !Double.isFinite(c[0]) || !Double.isFinite(c[1])) {
        throw new IllegalArgumentException("centers[" + i + "] must be a finite (x, y); got "
            + (c == null ? "null" : Arrays.toString(c)));
      }
    }
  }

  /**
   * The float32 scales: {@code scales}, or {@code octave_base_scale * 2^(i / scales_per_octave)} for
   * {@code i < scales_per_octave}; exactly one of the two forms must be given (nulls: not given).
   */
  static float[] scales(double[] scales, Double octaveBaseScale, Integer scalesPerOctave) {
    boolean octave = octaveBaseScale != null || scalesPerOctave != null;
    if (scales != null && octave) {
      throw new IllegalArgumentException(BOTH_SCALES);
    } else if (scales != null) {
      return PriorChecks.positiveFloat32("scales", scales);
    } else if (octaveBaseScale != null && scalesPerOctave != null) {
      Args.positiveFloat32("octave_base_scale", octaveBaseScale);
      Limits.requireCount("scales_per_octave", scalesPerOctave, 1, Limits.MAX_PRIOR_PARAMS,
          "Limits.MAX_PRIOR_PARAMS");
      double[] octaveScales = new double[scalesPerOctave];
      for (int i = 0; i < octaveScales.length; i++) {
        octaveScales[i] = Math.pow(2, (double) i / scalesPerOctave) * octaveBaseScale;
      }
      // 2^(i/n) < 2 can still carry a scale just below float32's top past it.
      return PriorChecks.positiveFloat32("octave scales (octave_base_scale * 2^(i / scales_per_octave))",
          octaveScales);
    } else if (octave) {
      throw new IllegalArgumentException("octave_base_scale and scales_per_octave must be set together; got "
          + (octaveBaseScale == null ? "only scales_per_octave=" + scalesPerOctave
              : "only octave_base_scale=" + octaveBaseScale));
    }
    throw new IllegalArgumentException("either scales or octave_base_scale with scales_per_octave must be set");
  }

  /** {@code base_sizes}, one per level, or (null) each level's shorter stride. */
  static double[] baseSizes(double[] baseSizes, List<Stride> strides) {
    int levels = strides.size();
    if (baseSizes == null) {
      double[] sizes = new double[levels];
      for (int i = 0; i < levels; i++) {
        sizes[i] = strides.get(i).min();
      }
      return sizes;
    }
    if (baseSizes.length != levels) {
      throw new IllegalArgumentException("base_sizes must have one size per level (" + levels + " strides); got "
          + baseSizes.length);
    }
    PriorChecks.positiveFloat32("base_sizes", baseSizes);
    return baseSizes;
  }
}
