package io.detkit.losses;

import java.nio.FloatBuffer;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FusedFocal}'s rows in float32 SIMD lanes (JDK 17's incubating Vector API, whose lanes hold
 * 8 floats with AVX2): several times the scalar path's throughput on the COCO-size case.
 * {@code exp} and {@code log1p} are computed from IEEE basic operations (see
 * {@link LaneMath}), so results are bit-identical from run to run and across JIT tiers.
 * Used only for float32 logits with {@code gamma = 2} and no element-wise weight, and only when the JVM runs with {@code --add-modules jdk.incubator.vector}
 * ({@link FusedFocal#SIMD}); this class must not be touched otherwise, since its types would not
 * resolve.
 *
 * <p>Float32 arithmetic throughout, as PyTorch's CPU kernels compute it; each row's sum is reduced
 * from float32 lanes into float64. Results agree with the float64 path to a few float32 ulps.
 *
 * <p>Why the code is cut the way it is: C2 keeps a vector in a register only while every Vector
 * API call on it is inlined into one compiled method; a vector passed to or returned from a call
 * that is not inlined is boxed on the heap. Which of our own methods C2 inlines depends on the order
 * in which they were compiled (a helper compiled on its own first is later refused as "already
 * compiled into a medium method") and on the size of the caller, so with helpers taking and
 * returning vectors the kernel allocated 354 MB a call on some runs and 4 MB on others, on the same
 * machine (with 16 lanes, AVX-512). So no method here takes or returns a vector: each loop is a
 * method over arrays and scalars ({@link LaneMath#expNegAbsInto}, {@link LaneMath#log1pInto}, the
 * columns of a row), small enough to compile whole, and a call between them costs a call, not a box.
 */
final class VectorFocal {
  static final VectorSpecies<Float> F = LaneMath.F;
  /** 0, 1, ... lanes - 1: the column offsets of a vector's lanes, loaded as a vector where needed. */
  private static final float[] IOTA = iota(F.length());

  /** Rows whose exp and log1p are computed together (two scratch arrays of 32 x 80 floats stay in L1). */
  private static final int CHUNK_ROWS = 32;
  /**
   * Locations of a plane run computed together by {@link #planeRows}: whole vectors; its four work
   * arrays of {@code C x RUN_CHUNK} floats (160 KB for 80 classes) stay in L2.
   */
  private static final int RUN_CHUNK = Math.max(128, F.length());

  private VectorFocal() {}

  private static float[] iota(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  /** Floats a vector holds on this machine (8 with AVX2, 16 with AVX-512). */
  static int lanes() {
    return F.length();
  }

  /**
   * The scalar code for the columns that do not fill a vector: returns {@code sum_j w_j loss_j} over
   * {@code x} and writes {@code scale * w_j * dloss_j/dx_j} to {@code g}, with {@code target} the
   * positive column (outside the row for none). Called on the thread running {@link #rows}.
   */
  @FunctionalInterface
  interface Tail {
    double row(double[] x, int target, double rowWeight, double[] w, double scale, double[] g);
  }

  /**
   * Rows {@code [r0, r1)}: returns {@code sum_r rowWeight_r * sum_j loss_rj} and writes
   * {@code scale * rowWeight_r * dloss_rj/dx_rj} into {@code grad}. The last {@code c % lanes}
   * columns of each row go through {@code tails}, the caller's scalar row code (passed in so that
   * this class does not depend on its caller).
   */
  static double rows(float[] x, long[] labels, int c, double[] rowWeight, double scale, float alpha, float[] grad,
      int r0, int r1, Tail tails) {
    return rows(x, labels, c, rowWeight, scale, alpha, grad, r0, r1, tails, new Work());
  }

  /**
   * The working arrays of {@link #rows}, sized for a column count on first use and reused by a
   * caller that runs many blocks (one {@code Work} per running thread; not thread-safe).
   */
  static final class Work {
    private int cols = -1;
    private double[] tailX;
    private double[] tailG;
    private float[] lanes;
    /** sigmoid(x) and sigmoid(-x) of the vector being computed ({@link #sigmoids}). */
    private final float[] pair = new float[2 * F.length()];
    private float[] expAbs;
    private float[] log1p;

    /** This work, its arrays (re)made for rows of {@code c} columns. */
    Work fit(int c) {
      if (cols != c) {
        int len = F.length();
        int tail = c % len;
        tailX = new double[tail];
        tailG = new double[tail];
        // The row's accumulators, then its g0 broadcast (vectorColumns).
        lanes = new float[2 * len];
        // exp(-|x|) and log1p of it for a chunk of rows, padded to whole vectors.
        expAbs = new float[CHUNK_ROWS * c + len];
        log1p = new float[CHUNK_ROWS * c + len];
        cols = c;
      }
      return this;
    }

    private int planeCols = -1;
    private float[] px;
    private float[] pe;
    private float[] pl;
    private float[] pg;
    private float[] acc;
    private float[] target;
    private float[] g0;
    private boolean[] positive;
    private double[] rowSums = new double[0];

    /** This work, its plane arrays (re)made for {@code c} classes and blocks of {@code rows} rows. */
    private Work fitPlanes(int c, int rows) {
      if (planeCols != c) {
        px = new float[c * RUN_CHUNK];
        pe = new float[c * RUN_CHUNK];
        pl = new float[c * RUN_CHUNK];
        pg = new float[c * RUN_CHUNK];
        acc = new float[F.length() * RUN_CHUNK];
        target = new float[RUN_CHUNK];
        g0 = new float[RUN_CHUNK];
        positive = new boolean[c];
        planeCols = c;
      }
      if (rowSums.length < rows) {
        rowSums = new double[rows];
      }
      return this;
    }
  }

  /** {@link #rows(float[], long[], int, double[], double, float, float[], int, int, Tail)} in {@code work}'s arrays. */
  static double rows(float[] x, long[] labels, int c, double[] rowWeight, double scale, float alpha, float[] grad,
      int r0, int r1, Tail tails, Work work) {
    int len = F.length();
    // Whole vectors only: masked tails are not compiled to SIMD code on JDK 17 and would allocate.
    int full = c - c % len;
    int tail = c - full;
    work.fit(c);
    double[] tailX = work.tailX;
    double[] tailG = work.tailG;
    // exp(-|x|) and log1p of it for a chunk of rows first, each in its own loop method; the rows'
    // own arithmetic in a third (see the class comment on why no method here passes a vector).
    // The rows go in chunks small enough for the scratch arrays to stay in cache.
    float[] expAbs = work.expAbs;
    float[] log1p = work.log1p;
    double total = 0;
    for (int r = r0; r < r1; r++) {
      int base = r * c;
      int local = (r - r0) % CHUNK_ROWS * c;
      if (local == 0) {
        int span = (Math.min(r1, r + CHUNK_ROWS) - r) * c;
        System.arraycopy(x, base, expAbs, 0, span);
        LaneMath.expNegAbsInto(expAbs, expAbs, span);
        LaneMath.log1pInto(expAbs, log1p, span);
      }
      long l = labels[r];
      int label = l >= 0 && l < c ? (int) l : -1;
      double rw = rowWeight == null ? 1.0 : rowWeight[r];
      double rowSum = 0;
      if (tail > 0) {
        for (int j = 0; j < tail; j++) {
          tailX[j] = x[base + full + j];
        }
        rowSum = tails.row(tailX, label - full, 1.0, null, scale * rw, tailG);
        for (int j = 0; j < tail; j++) {
          grad[base + full + j] = (float) tailG[j];
        }
      }
      rowSum = vectorColumns(x, base, expAbs, log1p, local, full, label, alpha, (float) (scale * rw), grad,
          work.lanes, work.pair, rowSum);
      total += rw * rowSum;
    }
    return total;
  }

  /**
   * Whether {@link #planeRows} computes levels of {@code c} classes: the classes fill whole vectors,
   * so every element sits in the lane and accumulator it has in {@link #rows}.
   */
  static boolean fitsPlanes(int c) {
    return c % F.length() == 0;
  }

  /**
   * {@link #rows} over rows {@code [r0, r1)} of a float32 NCHW level, read in place: the same
   * value and gradient bits, computed in each class plane's own order (lanes over locations instead
   * of over classes), so no row is gathered from or scattered to the planes' strided layout. Every
   * element's arithmetic is the same float32 operation sequence as in {@link #rows}; element
   * {@code j} of a row adds into that row's accumulator {@code j % lanes} in increasing {@code j},
   * the row's accumulators are summed into float64 in lane order and the rows' weighted sums in row
   * order, as there. Needs {@link #fitsPlanes}{@code (level.c())}.
   *
   * <p>Each chunk of a run takes {@link #RUN_CHUNK} locations: every class plane is copied in and out
   * in one bulk call per chunk, and at 32 locations those calls cost about a tenth of the kernel
   * (128 took 20-25% less CPU than 32 on ATSS's level 0 under load; the chunk size changes no sum order).
   * A vector of locations none of which has the class as its label takes {@link #negatives}.
   *
   * @param labels class id of row {@code r} of the level, {@code [0, C]} ({@code C} the background)
   * @param rowWeight weight of row {@code r}, as the caller rounded it
   */
  static double planeRows(NchwLevel level, IntUnaryOperator labels, IntToDoubleFunction rowWeight, double scale,
      float alpha, int r0, int r1, Work work) {
    FloatBuffer xb = (FloatBuffer) level.x();
    FloatBuffer gb = (FloatBuffer) level.g();
    int c = level.c();
    int hw = level.hw();
    int a = level.a();
    work.fitPlanes(c, r1 - r0);
    level.forEachRun(r0, r1, (start, row0, len) -> {
      for (int p = 0; p < len; p += RUN_CHUNK) {
        int n = Math.min(RUN_CHUNK, len - p);
        for (int i = 0; i < RUN_CHUNK; i++) {
          int r = r0 + row0 + (p + i) * a;
          boolean in = i < n;
          int l = in ? labels.applyAsInt(r) : -1;
          work.target[i] = l >= 0 && l < c ? l : -1;
          work.g0[i] = in ? (float) (scale * rowWeight.applyAsDouble(r)) : 0f;
        }
        for (int j = 0; j < c; j++) {
          xb.get(start + j * hw + p, work.px, j * RUN_CHUNK, n);
          if (n < RUN_CHUNK) {
            java.util.Arrays.fill(work.px, j * RUN_CHUNK + n, (j + 1) * RUN_CHUNK, 0f);
          }
        }
        LaneMath.expNegAbsInto(work.px, work.pe, c * RUN_CHUNK);
        LaneMath.log1pInto(work.pe, work.pl, c * RUN_CHUNK);
        planeColumns(work.px, work.pe, work.pl, work.target, work.g0, work.pg, work.acc, work.positive, c, alpha,
            work.pair);
        for (int j = 0; j < c; j++) {
          gb.put(start + j * hw + p, work.pg, j * RUN_CHUNK, n);
        }
        for (int i = 0; i < n; i++) {
          double sum = 0;
          for (int k = 0; k < F.length(); k++) {
            sum += work.acc[k * RUN_CHUNK + i];
          }
          work.rowSums[row0 + (p + i) * a] = sum;
        }
      }
    });
    double total = 0;
    for (int r = r0; r < r1; r++) {
      total += rowWeight.applyAsDouble(r) * work.rowSums[r - r0];
    }
    return total;
  }

  /**
   * One chunk of {@link #planeRows}: {@code x}, {@code e} ({@code exp(-|x|)}) and {@code log1p}
   * hold {@code c} planes of {@link #RUN_CHUNK} locations each; writes the gradient planes into
   * {@code grad} and each location's accumulator {@code k} (sum of its classes {@code j} with
   * {@code j % lanes == k}) into {@code acc[k * RUN_CHUNK + location]}.
   */
  private static void planeColumns(float[] x, float[] e, float[] log1p, float[] target, float[] g0, float[] grad,
      float[] acc, boolean[] positive, int c, float alpha, float[] pair) {
    java.util.Arrays.fill(acc, 0f);
    int len = F.length();
    for (int v = 0; v < RUN_CHUNK; v += len) {
      // The classes that are some lane's positive; every other class's vector is all negatives.
      for (int i = v; i < v + len; i++) {
        if (target[i] >= 0) {
          positive[(int) target[i]] = true;
        }
      }
      for (int j = 0; j < c; j++) {
        int at = j * RUN_CHUNK + v;
        int accAt = j % len * RUN_CHUNK + v;
        if (positive[j]) {
          positive[j] = false;
          element(x, at, e, log1p, at, target, v, j, g0, v, alpha, acc, accAt, grad, pair);
        } else {
          negatives(x, at, e, log1p, g0, v, alpha, acc, accAt, grad, pair);
        }
      }
    }
  }

  /**
   * {@link #element} for a vector whose lanes are all negatives: the same operations on the same
   * values with the positive-lane blends resolved ({@code t = +0}, {@code aw = 1 - alpha},
   * {@code pt = s}, {@code dPt = s * sm}), so the same bits; {@code s - (+0)}, which is {@code s}
   * exactly, is left out.
   */
  private static void negatives(float[] x, int at, float[] e, float[] log1p, float[] g0, int g0At, float alpha,
      float[] acc, int accAt, float[] grad, float[] pair) {
    sigmoids(x, at, e, at, pair);
    FloatVector xv = FloatVector.fromArray(F, x, at);
    FloatVector s = FloatVector.fromArray(F, pair, 0);
    FloatVector sm = FloatVector.fromArray(F, pair, F.length());
    // x * +0 is kept: it is NaN for an infinite logit, which must leave the sum non-finite.
    FloatVector bce = xv.max(0f).sub(xv.mul(0f)).add(FloatVector.fromArray(F, log1p, at));
    float aw = 1f - alpha;
    FloatVector mod = s.mul(s);
    FloatVector term = bce.mul(aw);
    FloatVector.fromArray(F, acc, accAt).add(term.mul(mod)).intoArray(acc, accAt);
    s.mul(aw).mul(mod).add(term.mul(s).mul(s.mul(sm)).mul(2f)).mul(FloatVector.fromArray(F, g0, g0At))
        .intoArray(grad, at);
  }

  /**
   * The first {@code full} columns of one row (whole vectors): writes their gradient
   * {@code g0 * dloss/dx} into {@code grad} and returns {@code start} plus their losses, added lane
   * by lane in a fixed order ({@code reduceLanes} leaves the order of a floating-point sum open, and
   * it differs between the JIT's intrinsic and the interpreter). {@code expAbs} and {@code log1p}
   * hold {@code exp(-|x|)} and its {@code log1p} for the row from {@code local} on.
   */
  private static double vectorColumns(float[] x, int base, float[] expAbs, float[] log1p, int local, int full,
      int label, float alpha, float g0, float[] grad, float[] lanes, float[] pair, double start) {
    int len = F.length();
    java.util.Arrays.fill(lanes, 0, len, 0f);
    java.util.Arrays.fill(lanes, len, 2 * len, g0);
    // Lane k is column j + k: it is the label's column where IOTA[k] == label - j (exact in floats).
    for (int j = 0; j < full; j += len) {
      element(x, base + j, expAbs, log1p, local + j, IOTA, 0, label - j, lanes, len, alpha, lanes, 0, grad,
          pair);
    }
    double sum = start;
    for (int k = 0; k < len; k++) {
      sum += lanes[k];
    }
    return sum;
  }

  /**
   * The focal loss of one vector of elements, the arithmetic {@link #rows} and {@link #planeRows}
   * share: logits {@code x[at..]}, their {@code exp(-|x|)} and its {@code log1p} at {@code
   * e[eAt..]} and {@code log1p[eAt..]}; a lane is its row's positive element where {@code
   * idx[idxAt + lane] == target}; {@code g0[g0At + lane]} is {@code scale * rowWeight}. Adds the
   * lanes' losses into {@code acc[accAt..]} and writes their gradients to {@code grad[at..]}.
   * Arrays and scalars only, so that it costs a call and never a boxed vector when C2 does not
   * inline it.
   */
  private static void element(float[] x, int at, float[] e, float[] log1p, int eAt, float[] idx, int idxAt,
      float target, float[] g0, int g0At, float alpha, float[] acc, int accAt, float[] grad, float[] pair) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector one = FloatVector.broadcast(F, 1f);
    sigmoids(x, at, e, eAt, pair);
    FloatVector xv = FloatVector.fromArray(F, x, at);
    VectorMask<Float> pos = FloatVector.fromArray(F, idx, idxAt).compare(VectorOperators.EQ, target);
    FloatVector s = FloatVector.fromArray(F, pair, 0);
    FloatVector sm = FloatVector.fromArray(F, pair, F.length());
    FloatVector t = zero.blend(one, pos);
    FloatVector bce = xv.max(0f).sub(xv.mul(t)).add(FloatVector.fromArray(F, log1p, eAt));
    FloatVector aw = FloatVector.broadcast(F, 1f - alpha).blend(alpha, pos);
    FloatVector pt = s.blend(sm, pos);
    FloatVector ssm = s.mul(sm);
    FloatVector dPt = ssm.blend(ssm.neg(), pos);
    FloatVector mod = pt.mul(pt);
    FloatVector term = bce.mul(aw);
    FloatVector.fromArray(F, acc, accAt).add(term.mul(mod)).intoArray(acc, accAt);
    s.sub(t).mul(aw).mul(mod).add(term.mul(pt).mul(dPt).mul(2f)).mul(FloatVector.fromArray(F, g0, g0At))
        .intoArray(grad, at);
  }

  /**
   * {@code sigmoid(x)} into {@code pair[0..lanes)} and {@code sigmoid(-x)} into {@code
   * pair[lanes..2 lanes)} for the vector of logits {@code x[at..]}, from their {@code exp(-|x|)} at
   * {@code e[eAt..]}: each from its own tail (no cancellation). Written once for {@link #element}
   * and {@link #negatives}, through an array so that no vector crosses the call.
   */
  private static void sigmoids(float[] x, int at, float[] e, int eAt, float[] pair) {
    FloatVector one = FloatVector.broadcast(F, 1f);
    VectorMask<Float> nonNeg = FloatVector.fromArray(F, x, at).compare(VectorOperators.GE, 0f);
    FloatVector ev = FloatVector.fromArray(F, e, eAt);
    FloatVector inv = one.div(one.add(ev));
    FloatVector ei = ev.mul(inv);
    ei.blend(inv, nonNeg).intoArray(pair, 0);
    inv.blend(ei, nonNeg).intoArray(pair, F.length());
  }
}
