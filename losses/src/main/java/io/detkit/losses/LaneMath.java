package io.detkit.losses;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorFocal}'s {@code exp} and {@code log1p}, in float32 SIMD lanes over arrays, from IEEE
 * basic operations only, so that their bits are the same from run to run and across JIT tiers (the
 * Vector API's own {@code EXP} and {@code LOG1P} run a vendor routine when compiled and another when
 * interpreted). Apart from the focal kernel because it is a different job (the functions, not the
 * loss); like {@link VectorFocal}, it must only be touched when the JVM has the incubating Vector API
 * ({@link FusedFocal#SIMD}). No method takes or returns a vector (see {@link VectorFocal} on why).
 */
final class LaneMath {
  // The species VectorFocal uses too (it reads this one: no import cycle between the two files).
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final float LOG2E = 1.44269504f;
  private static final float ROUNDER = 12582912f;
  private static final float EXPONENT_BIAS_RAISED = 8388608f + 127f;
  /** ln 2 split so that {@code k * LN2_HI} is exact for the |k| <= 126 used here. */
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;

  private LaneMath() {}

  /**
   * {@code out[i] = exp(-|in[i]|)} for {@code i < n} ({@code out} may be {@code in}), in whole
   * vectors (arrays padded to a multiple of the lanes), from IEEE basic operations only: Cody-Waite
   * reduction {@code x = k ln2 + r}, a degree-7 polynomial for {@code e^r} on {@code |r| <= ln2 / 2}
   * (relative error under 1e-8 before float32 rounding), and {@code 2^k} built from the exponent bits.
   * Arguments below -87 give exp(-87), about 1.6e-38, where the focal loss's terms are far below
   * float32 resolution anyway.
   */
  static void expNegAbsInto(float[] in, float[] out, int n) {
    for (int i = 0; i < n; i += F.length()) {
      FloatVector x = FloatVector.fromArray(F, in, i).abs().neg().max(-87f);
      FloatVector t = x.mul(LOG2E);
      // Adding and subtracting 1.5 * 2^23 rounds to the nearest integer (|t| < 2^22 here).
      FloatVector k = t.add(ROUNDER).sub(ROUNDER);
      FloatVector r = x.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
      FloatVector p = r.mul(1f / 5040f).add(1f / 720f);
      p = p.mul(r).add(1f / 120f);
      p = p.mul(r).add(1f / 24f);
      p = p.mul(r).add(1f / 6f);
      p = p.mul(r).add(0.5f);
      p = p.mul(r).add(1f);
      p = p.mul(r).add(1f);
      // k + 127 + 2^23 is an integer in [2^23, 2^24), so its low mantissa bits are k + 127; shifting
      // them into the exponent field gives 2^k (no float-to-int conversion, which JDK 17 does not
      // compile to SIMD code).
      IntVector bits = k.add(EXPONENT_BIAS_RAISED).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
      p.mul(bits.reinterpretAsFloats()).intoArray(out, i);
    }
  }

  /**
   * {@code out[i] = log1p(e[i])} for {@code e} in [0, 1] and {@code i < n}, in whole vectors (padded
   * arrays), from basic operations: {@code 2 atanh(s)} with {@code s = e / (2 + e)} in [0, 1/3],
   * whose odd series to {@code s^13} is exact to about 1e-8 relative, and has no cancellation for
   * small {@code e}.
   */
  static void log1pInto(float[] e, float[] out, int n) {
    for (int i = 0; i < n; i += F.length()) {
      FloatVector ev = FloatVector.fromArray(F, e, i);
      FloatVector s = ev.div(ev.add(2f));
      FloatVector z = s.mul(s);
      FloatVector p = z.mul(1f / 13f).add(1f / 11f);
      p = p.mul(z).add(1f / 9f);
      p = p.mul(z).add(1f / 7f);
      p = p.mul(z).add(1f / 5f);
      p = p.mul(z).add(1f / 3f);
      p = p.mul(z).add(1f);
      p.mul(s).mul(2f).intoArray(out, i);
    }
  }
}
