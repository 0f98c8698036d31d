package io.detkit.core.testing;

import io.detkit.core.precision.Precision;
import java.util.Random;

/**
 * The random-box generator of every module's tests (core's test-jar carries it to the others): flat
 * {@code (x1, y1, x2, y2)} rows with {@code x1} in {@code [0, width)}, {@code y1} in
 * {@code [0, height)} and sides {@code minSide + [0, sideRange)}.
 *
 * <p>Per box it draws x1, y1, the width and the height, in that order, from the caller's
 * {@link Random}, so a seed gives the same boxes on every run. Float32 boxes draw
 * {@code nextFloat()} and compute in float32, float64 boxes draw {@code nextDouble()}. Not
 * thread-safe (neither is a shared {@code Random}).
 *
 * <pre>{@code
 * float[] gts = RandomBoxes.floats(new Random(3), 20, 1200, 700, 8, 300);
 * }</pre>
 */
public final class RandomBoxes {
  private RandomBoxes() {}

  /** {@code n} float32 boxes; every value is computed in float32. */
  public static float[] floats(Random rnd, int n, double width, double height, double minSide, double sideRange) {
    double[] d = draw(rnd, n, width, height, minSide, sideRange, Precision.F32);
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }

  /** {@code n} float64 boxes. */
  public static double[] doubles(Random rnd, int n, double width, double height, double minSide, double sideRange) {
    return draw(rnd, n, width, height, minSide, sideRange, Precision.F64);
  }

  private static double[] draw(Random rnd, int n, double width, double height, double minSide, double sideRange,
      Precision p) {
    double[] out = new double[4 * n];
    for (int i = 0; i < n; i++) {
      double x = p.round(uniform(rnd, p) * p.round(width));
      double y = p.round(uniform(rnd, p) * p.round(height));
      out[4 * i] = x;
      out[4 * i + 1] = y;
      double m = p.round(minSide);
      out[4 * i + 2] = p.round(p.round(x + m) + p.round(uniform(rnd, p) * p.round(sideRange)));
      out[4 * i + 3] = p.round(p.round(y + m) + p.round(uniform(rnd, p) * p.round(sideRange)));
    }
    return out;
  }

  private static double uniform(Random rnd, Precision p) {
    return p == Precision.F64 ? rnd.nextDouble() : rnd.nextFloat();
  }
}
