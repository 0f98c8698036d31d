package io.detkit.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A measuring stick, not library code: {@link FocalLossSketch} in float32 SIMD lanes with JDK 17's
 * incubating Vector API, whose {@code EXP} and {@code LOG1P} compile to Intel SVML routines on
 * x86. It bounds what a fused FocalLoss can reach on one core. Needs {@code --add-modules
 * jdk.incubator.vector} at compile and run time.
 *
 * <p>Float32 throughout (as PyTorch's CPU kernels compute it), the value accumulated per row in
 * float64; results agree with {@code FocalLoss} to a few float32 ulps. Throws {@link
 * IllegalArgumentException} when the lengths do not fit {@code N x C} or {@code C} is not a
 * multiple of the vector length.
 */
final class FocalLossVectorSketch {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final float ALPHA = 0.25f;

  private FocalLossVectorSketch() {}

  /** Loss value; fills {@code grad} with d(loss)/d(x). */
  static double forward(float[] x, int[] labels, int c, double avgFactor, float[] grad) {
    int n = labels.length;
    if (x.length != n * c || grad.length != x.length || c % F.length() != 0) {
      throw new IllegalArgumentException("x and grad must hold N*C = " + n + "*" + c + " values with C a multiple of "
          + F.length() + "; got " + x.length + " and " + grad.length);
    }
    float scale = (float) (1.0 / (avgFactor + 1.1920928955078125e-07));
    IntVector lane = IntVector.zero(I).addIndex(1);
    FloatVector zero = FloatVector.zero(F);
    FloatVector one = FloatVector.broadcast(F, 1f);
    double total = 0;
    for (int r = 0; r < n; r++) {
      int base = r * c;
      int label = labels[r];
      FloatVector acc = zero;
      for (int j = 0; j < c; j += F.length()) {
        FloatVector xv = FloatVector.fromArray(F, x, base + j);
        VectorMask<Float> pos = lane.add(j).eq(label).cast(F);
        VectorMask<Float> nonNeg = xv.compare(VectorOperators.GE, 0f);
        FloatVector e = xv.abs().neg().lanewise(VectorOperators.EXP);
        FloatVector inv = one.div(one.add(e));
        FloatVector ei = e.mul(inv);
        FloatVector s = ei.blend(inv, nonNeg);
        FloatVector sm = inv.blend(ei, nonNeg);
        FloatVector t = zero.blend(one, pos);
        FloatVector bce = xv.max(0f).sub(xv.mul(t)).add(e.lanewise(VectorOperators.LOG1P));
        FloatVector aw = FloatVector.broadcast(F, 1 - ALPHA).blend(ALPHA, pos);
        FloatVector pt = s.blend(sm, pos);
        FloatVector dPt = s.mul(sm).blend(s.mul(sm).neg(), pos);
        FloatVector mod = pt.mul(pt);
        acc = acc.add(bce.mul(aw).mul(mod));
        FloatVector g = s.sub(t).mul(mod).add(bce.mul(pt).mul(dPt).mul(2f)).mul(aw).mul(scale);
        g.intoArray(grad, base + j);
      }
      total += acc.reduceLanes(VectorOperators.ADD);
    }
    return total * scale;
  }
}
