package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.precision.Precision;

/**
 * The priors of ATSS assignments read and prepared once, for the assignments that share them (a
 * trainer's steps on images of one shape): their values in the working precision, their centres,
 * and, per {@code topk}, the candidate search's block bounds over the centres. What the assignment
 * of one set of gts then computes is only what depends on the gts. Get one from
 * {@link ATSSAssigner#prepare}; assign with
 * {@link ATSSAssigner#assign(ATSSPriors, org.nd4j.linalg.api.ndarray.INDArray,
 * org.nd4j.linalg.api.ndarray.INDArray, org.nd4j.linalg.api.ndarray.INDArray)}: the same results,
 * bit for bit, as assigning the priors' array itself.
 *
 * <p>Immutable and thread-safe (the candidate search of the last {@code topk} asked for is kept,
 * made once under this object's lock, as is the float64 twin that float64 gts use). Independent of
 * the assigner's parameters: any {@link ATSSAssigner} may use it.
 */
public final class ATSSPriors {
  private final Precision precision;
  private final double[] bboxes;
  private final int[] levels;
  private final double[] bcx;
  private final double[] bcy;
  /** No prior ignored: the candidate search's flags when there is no ignore box. */
  private final boolean[] noneIgnored;
  private ATSSCandidates candidates;
  /** The float64 twin of float32 priors ({@link #inF64}), made on first use; volatile for the unlocked read. */
  private volatile ATSSPriors f64Twin;

  /**
   * @param bboxes {@code 4*N} prior values in {@code precision}, checked finite by the caller; kept
   * @param levels priors per level, checked to add up to N by the caller; kept
   */
  ATSSPriors(Precision precision, double[] bboxes, int[] levels) {
    this.precision = precision;
    this.bboxes = bboxes;
    this.levels = levels;
    boolean f32 = precision.isSingle();
    int n = bboxes.length / 4;
    bcx = new double[n];
    bcy = new double[n];
    for (int i = 0; i < n; i++) {
      bcx[i] = round(round(bboxes[4 * i] + bboxes[4 * i + 2], f32) / 2, f32);
      bcy[i] = round(round(bboxes[4 * i + 1] + bboxes[4 * i + 3], f32) / 2, f32);
    }
    noneIgnored = new boolean[n];
  }

  /** The working precision: F32 for float32 priors, F64 for float64 ones. */
  public Precision precision() {
    return precision;
  }

  /** Number of priors N. */
  public int size() {
    return bcx.length;
  }

  /** Priors per level (copy). */
  public int[] numLevelBboxes() {
    return levels.clone();
  }

  /**
   * These priors in float64 (the same values; float32 priors widen exactly), for float64 gts: made
   * once, on the first call, and kept (the centres and candidate search are the precision's own).
   */
  ATSSPriors inF64() {
    if (precision == Precision.F64) {
      return this;
    }
    ATSSPriors t = f64Twin;
    if (t == null) {
      synchronized (this) {
        t = f64Twin;
        if (t == null) {
          t = new ATSSPriors(Precision.F64, bboxes, levels);
          f64Twin = t;
        }
      }
    }
    return t;
  }

  boolean f32() {
    return precision.isSingle();
  }

  double[] bboxes() {
    return bboxes;
  }

  int[] levels() {
    return levels;
  }

  double[] centreX() {
    return bcx;
  }

  double[] centreY() {
    return bcy;
  }

  /** The candidate search over these priors with none ignored, for {@code topk}: kept for the last topk. */
  synchronized ATSSCandidates candidates(int topk) {
    if (candidates == null || candidates.topk() != topk) {
      candidates = new ATSSCandidates(topk, levels, bcx, bcy, noneIgnored, f32());
    }
    return candidates;
  }
}
