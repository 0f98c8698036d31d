package io.detkit.losses;

import java.lang.ref.Reference;
import java.util.OptionalDouble;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 *
 * <p>Dense heads call {@link #meanLevel}, which reads one level of the network's
 * {@code [N, A*C, H, W]} scores in place and writes the gradient into the caller's array.
 */
public final class FusedFocal {
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

  /**
   * MMDetection's reduced ({@code 'mean'} with {@code avg_factor}) sigmoid focal loss of one dense
   * head level, read in place from the network's layout: the same value and gradient bits as
   * {@code FocalLoss.forward} on the level permuted to rows {@code [N*H*W*A, C]} (row
   * {@code ((img*H + y)*W + x)*A + anchor}) with these labels, row weights and avg_factor, but with
   * no permuted copy, no Java copy of the scores and no new gradient array. Rows run in the same
   * blocks of {@value #BLOCK_ROWS} as {@link #run}; each block is gathered into a per-thread scratch
   * through the NIO view of {@code logits} (kept reachable), computed by the same row code, and its
   * gradient scattered into {@code grad}. Thread-safe; runs on the common fork-join pool.
   *
   * @param logits dense C-order FLOAT or DOUBLE scores {@code [N, A*C, H, W]} (not changed)
   * @param a anchors per location {@code A}
   * @param labels one class id per row; {@code C} is the background
   * @param labelWeights one weight per row (rounded to the logits' dtype first, as an array of it)
   * @param lossWeight the loss's {@code loss_weight}
   * @param avgFactor the divisor of the sum, {@code >= 0} (plus torch's float32 epsilon)
   * @param grad a dense C-order array of the logits' shape and dtype; on success every element is
   *     overwritten with {@code d loss / d logits}
   * @return the loss value (times {@code loss_weight}, rounded to the logits' dtype), or empty when
   *     the general pipeline must decide (a label outside {@code [0, C]}, a gradient that could
   *     overflow the dtype, a non-finite sum, arrays this path does not read): {@code grad}'s
   *     contents are then undefined
   * @throws IllegalArgumentException for a negative or NaN {@code avgFactor}, or lengths that do
   *     not match the logits' rows
   */
  public static OptionalDouble meanLevel(INDArray logits, int a, int[] labels, double[] labelWeights, double gamma,
      double alpha, double lossWeight, double avgFactor, INDArray grad) {
    io.detkit.core.check.Args.nonNegative("avg_factor", avgFactor);
    DataType dtype = logits.dataType();
    boolean single = dtype == DataType.FLOAT;
    int hw = (int) (logits.size(2) * logits.size(3));
    int c = (int) (logits.size(1) / a);
    int n = (int) (logits.size(0) * hw * a);
    if (labels.length != n || labelWeights.length != n) {
      throw new IllegalArgumentException("labels and label weights must hold one value per row (" + n + "); got "
          + labels.length + " and " + labelWeights.length);
    }
    if (!(single || dtype == DataType.DOUBLE) || n == 0 || c == 0 || !denseC(logits) || !denseC(grad)
        || grad.dataType() != dtype || !java.util.Arrays.equals(grad.shape(), logits.shape())) {
      return OptionalDouble.empty();
    }
    double maxW = 0;
    for (int r = 0; r < n; r++) {
      if (labels[r] < 0 || labels[r] > c) {
        return OptionalDouble.empty();
      }
      maxW = Math.max(maxW, Math.abs(single ? (float) labelWeights[r] : labelWeights[r]));
    }
    // The weights are rounded to the logits' dtype where they are read, not into a copy of n rows.
    IntToDoubleFunction rowWeight = single ? r -> (float) labelWeights[r] : r -> labelWeights[r];
    double divisor = avgFactor + WeightReduce.AVG_FACTOR_EPS;
    double scale = lossWeight / divisor;
    // The same overflow bound as FocalLoss's fused path: beyond it the general path names the overflow.
    double bound = Math.abs(scale) * maxW * Math.max(Math.abs(alpha), Math.abs(1 - alpha)) * (1 + gamma);
    if (!(bound <= (single ? Float.MAX_VALUE : Double.MAX_VALUE))) {
      return OptionalDouble.empty();
    }
    double sum;
    try {
      sum = new FusedFocal(gamma, alpha).runNchw(new NchwLevel(logits, grad, a, c, hw), r -> labels[r], n, rowWeight,
          scale);
    } finally {
      Reference.reachabilityFence(logits);
      Reference.reachabilityFence(grad);
    }
    double value = sum / divisor * lossWeight;
    if (!Double.isFinite(sum) || single && !Float.isFinite((float) value)) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(single ? (float) value : value);
  }

  /**
   * {@link #run} on dense C-order {@code [n, c]} FLOAT or DOUBLE arrays, read and written in place:
   * each block's rows are copied from {@code x}'s NIO view into a pooled scratch, computed by the
   * same row code, and copied into {@code grad}'s view, so neither a Java copy of the scores nor a
   * full-size gradient temporary is made. Same blocks, row code and sum order as {@link #run} with
   * these row weights (null: ones, which multiply exactly), so the same bits. The caller has checked
   * the arrays ({@link #denseRows}); both are kept reachable here.
   *
   * @param labels class ids in {@code [0, c]}; {@code c} is the background
   */
  double runDense(INDArray x, long[] labels, int n, int c, double[] rowWeight, double scale, INDArray grad) {
    // Labels and weights are read row by row where the blocks need them: no int[n] or double[n] copies.
    IntToDoubleFunction w = rowWeight == null ? r -> 1.0 : r -> rowWeight[r];
    try {
      // Row r of [n, c] is row r of an [n, c, 1, 1] level with one anchor per location.
      return runNchw(new NchwLevel(x, grad, 1, c, 1), r -> Math.toIntExact(labels[r]), n, w, scale);
    } finally {
      Reference.reachabilityFence(x);
      Reference.reachabilityFence(grad);
    }
  }

  /** Whether {@code x} is a rank-2 FLOAT or DOUBLE array {@link #runDense} reads and writes in place. */
  static boolean denseRows(INDArray x) {
    return x.rank() == 2 && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE)
        && x.ordering() == 'c' && !x.isView() && x.offset() == 0 && x.data().length() == x.length();
  }

  private static boolean denseC(INDArray x) {
    return x.rank() == 4 && x.ordering() == 'c' && !x.isView() && x.offset() == 0 && x.data().length() == x.length();
  }

  /**
   * {@link #run} over the rows of an NCHW level: same blocks, same row code, same sum order; each
   * block's rows are gathered into a pooled scratch and its gradient scattered back by {@link NchwLevel}.
   */
  private double runNchw(NchwLevel v, IntUnaryOperator labels, int n, IntToDoubleFunction rowWeight, double scale) {
    int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
    double[] partial = new double[blocks];
    int c = v.c();
    boolean lanes = simd && gamma == 2.0 && v.single() && c >= VectorFocal.lanes();
    // Classes that fill whole vectors are computed plane by plane, in place (same bits, no gather);
    // rows of a 1x1 level (and the [N, C] rows of runDense) are contiguous, where one gather is cheaper.
    boolean planes = lanes && v.hw() > 1 && VectorFocal.fitsPlanes(c);
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int r0 = b * BLOCK_ROWS;
      int r1 = Math.min(n, r0 + BLOCK_ROWS);
      NchwLevel.Scratch s = v.acquire(BLOCK_ROWS);
      try {
        if (planes) {
          partial[b] = VectorFocal.planeRows(v, labels, rowWeight, scale, (float) alpha, r0, r1, vectorWork(s));
          return;
        }
        for (int r = r0; r < r1; r++) {
          s.labels[r - r0] = labels.applyAsInt(r);
          s.rowWeight[r - r0] = rowWeight.applyAsDouble(r);
        }
        v.gather(s, r0, r1);
        partial[b] = lanes ? simdRows(s, c, scale, r1 - r0)
            : block(s.x, s.labels, c, s.rowWeight, null, scale, s.g, 0, r1 - r0);
        v.scatter(s, r0, r1);
      } finally {
        NchwLevel.release(s);
      }
    });
    double sum = 0;
    for (double p : partial) {
      sum += p;
    }
    return sum;
  }

  /** The SIMD rows of a gathered block, in the scratch's own {@link VectorFocal.Work}. */
  private double simdRows(NchwLevel.Scratch s, int c, double scale, int rows) {
    return VectorFocal.rows((float[]) s.x, s.labels, c, s.rowWeight, scale, (float) alpha, (float[]) s.g, 0, rows,
        this::row, vectorWork(s));
  }

  /** The scratch's {@link VectorFocal.Work}, made on first use. */
  private static VectorFocal.Work vectorWork(NchwLevel.Scratch s) {
    if (s.vectorWork == null) {
      s.vectorWork = new VectorFocal.Work();
    }
    return (VectorFocal.Work) s.vectorWork;
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
