package io.detkit.losses;

import java.util.stream.IntStream;

/**
 * The reduced sigmoid focal loss with class-id targets in one pass: each element's loss is added
 * to the sum and its gradient written, with no one-hot matrix, no stored element-wise loss and no
 * float64 copy of a float32 input. This is what a dense head calls on every anchor (about 180,000
 * rows of 80 logits for a COCO image with RetinaNet), where the general pipeline's dozen full-size
 * temporaries cost more than the arithmetic.
 *
 * <p>Rows are cut into fixed blocks of {@value #BLOCK_ROWS} that run in parallel on the common
 * fork-join pool; the blocks' partial sums are added in block order, so the value and every
 * gradient element are the same for any number of threads.
 *
 * <p>Each element is computed in float64 from one {@code exp} and one {@code log}, so results agree
 * with the general path to float64 rounding (sums differ only in their order). Float32 logits
 * with {@code gamma = 2} and no element-wise weight run in float32 SIMD lanes instead
 * ({@link VectorFocal}) when the JVM has the incubating Vector API ({@code --add-modules
 * jdk.incubator.vector}); they then agree with the general path to a few float32 ulps. Either
 * way the result does not depend on the number of threads.
 */
final class FusedFocal {
  /** Rows per parallel block: large enough to amortise a task, small enough to balance two cores. */
  static final int BLOCK_ROWS = 1024;
  /** Below this {@code exp(-|x|)}, {@code log(1 + e)} would lose digits that float64 keeps; use log1p. */
  private static final double LOG1P_CUTOFF = 1e-6;

  /**
   * Whether {@link VectorFocal} may run: the JVM was started with {@code --add-modules
   * jdk.incubator.vector} and the system property {@code detkit.simd} is not {@code false}.
   */
  static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !"false".equalsIgnoreCase(System.getProperty("detkit.simd"));

  private final double gamma;
  private final double alpha;
  private final boolean simd;

  /** A kernel that uses SIMD lanes where {@link #SIMD} allows. */
  FusedFocal(double gamma, double alpha) {
    this(gamma, alpha, SIMD);
  }

  /** A kernel that uses SIMD lanes only if {@code simd} (which requires {@link #SIMD}). */
  FusedFocal(double gamma, double alpha, boolean simd) {
    if (simd && !SIMD) {
      throw new IllegalStateException("SIMD lanes need --add-modules jdk.incubator.vector and detkit.simd != false");
    }
    this.gamma = gamma;
    this.alpha = alpha;
    this.simd = simd;
  }

  /** Whether rows of {@code x} with these weights run in SIMD lanes. */
  boolean usesSimd(Object x, int cols, double[] elementWeight) {
    return simd && gamma == 2.0 && elementWeight == null && x instanceof float[] && cols >= VectorFocal.lanes();
  }

  /**
   * The unscaled sum of {@code w * loss} over {@code [n, c]} logits, writing {@code scale * w *
   * dloss/dx} into {@code grad} (a {@code float[]} or {@code double[]}, like {@code x}).
   *
   * @param x logits, {@code float[]} or {@code double[]} of length {@code n * c}
   * @param labels class ids in {@code [0, c]}; {@code c} (or any id outside {@code [0, c)}) is the background
   * @param rowWeight one weight a row, or null
   * @param elementWeight one weight an element, or null (at most one of the two weights is given)
   */
  double run(Object x, long[] labels, int n, int c, double[] rowWeight, double[] elementWeight, double scale,
      Object grad) {
    int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
    double[] partial = new double[blocks];
    boolean lanes = usesSimd(x, c, elementWeight);
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int r0 = b * BLOCK_ROWS;
      int r1 = Math.min(n, r0 + BLOCK_ROWS);
      partial[b] = lanes
          ? VectorFocal.rows((float[]) x, labels, c, rowWeight, scale, (float) alpha, (float[]) grad, r0, r1, this::row)
          : block(x, labels, c, rowWeight, elementWeight, scale, grad, r0, r1);
    });
    double sum = 0;
    for (double p : partial) {
      sum += p;
    }
    return sum;
  }

  private double block(Object x, long[] labels, int c, double[] rowWeight, double[] elementWeight, double scale,
      Object grad, int r0, int r1) {
    double[] xs = new double[c];
    double[] gs = new double[c];
    double[] ws = elementWeight == null ? null : new double[c];
    double sum = 0;
    for (int r = r0; r < r1; r++) {
      int base = r * c;
      read(x, base, xs);
      if (ws != null) {
        System.arraycopy(elementWeight, base, ws, 0, c);
      }
      long label = labels[r];
      int target = label >= 0 && label < c ? (int) label : -1;
      double rw = rowWeight == null ? 1.0 : rowWeight[r];
      sum += row(xs, target, rw, ws, scale, gs);
      write(gs, grad, base);
    }
    return sum;
  }

  /**
   * One row (or the tail of one): returns {@code sum_j w_j loss_j} and writes {@code scale * w_j *
   * dloss_j/dx_j} to {@code g}; {@code target} is the positive column, or outside the row for none.
   */
  double row(double[] x, int target, double rowWeight, double[] w, double scale, double[] g) {
    double sum = 0;
    for (int j = 0; j < x.length; j++) {
      double xi = x[j];
      boolean pos = j == target;
      double e = Math.exp(-Math.abs(xi));
      double inv = 1.0 / (1.0 + e);
      // sigmoid(x) and sigmoid(-x) from the one exponential, each from its own tail (no cancellation).
      double s = xi >= 0 ? inv : e * inv;
      double sm = xi >= 0 ? e * inv : inv;
      double softplus = e > LOG1P_CUTOFF ? Math.log(1.0 + e) : Math.log1p(e);
      double bce = Math.max(xi, 0.0) - (pos ? xi : 0.0) + softplus;
      double aw = pos ? alpha : 1 - alpha;
      // pt is the probability of the wrong answer; its power down-weights easy elements.
      double pt = pos ? sm : s;
      double dPt = (pos ? -1.0 : 1.0) * s * sm;
      double term = bce * aw;
      double dTerm = (s - (pos ? 1.0 : 0.0)) * aw;
      double mod;
      double dMod;
      if (gamma == 2.0) {
        mod = pt * pt;
        dMod = term == 0 || dPt == 0 ? 0.0 : term * 2.0 * pt * dPt;
      } else {
        mod = ClsMath.pow(pt, gamma);
        dMod = ClsMath.scaledPowGrad(term, pt, gamma, dPt);
      }
      double weight = w == null ? rowWeight : rowWeight * w[j];
      sum += term * mod * weight;
      g[j] = scale * weight * (dTerm * mod + dMod);
    }
    return sum;
  }

  private static void read(Object x, int base, double[] out) {
    if (x instanceof float[] f) {
      for (int j = 0; j < out.length; j++) {
        out[j] = f[base + j];
      }
    } else {
      System.arraycopy((double[]) x, base, out, 0, out.length);
    }
  }

  private static void write(double[] g, Object grad, int base) {
    if (grad instanceof float[] f) {
      for (int j = 0; j < g.length; j++) {
        f[base + j] = (float) g[j];
      }
    } else {
      System.arraycopy(g, 0, (double[]) grad, base, g.length);
    }
  }
}
