package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.check.Limits;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * {@link ATSSAssigner}'s algorithm on flat double arrays holding values of the working precision
 * ({@code f32}: float32 values, every step rounded as float32 would): candidate selection per level
 * by centre distance, the mean + std IoU threshold, the centre-inside test and the assignment. The
 * assigner holds one, built from its parameters. Immutable and thread-safe.
 */
final class ATSSMatcher {
  /** MMDetection's "infinite" distance and "no overlap" sentinel. */
  static final double INF = 100000000;
  private static final double EPS = 1e-6;
  private static final double CENTER_MARGIN = 0.01;
  /** Candidate selection runs gts in parallel from this many prior x gt distances. */
  private static final long PARALLEL_PAIRS = 1 << 16;
  /** Gts go to this many tasks (gt j to task j % SELECT_CHUNKS), each with its own scratch. */
  private static final int SELECT_CHUNKS = 4;

  private final int topk;
  private final Double alpha;
  private final double ignoreIofThr;

  /** {@code alpha} null without the DDOD cost; {@code ignoreIofThr <= 0} disables ignoring. */
  ATSSMatcher(int topk, Double alpha, double ignoreIofThr) {
    this.topk = topk;
    this.alpha = alpha;
    this.ignoreIofThr = ignoreIofThr;
  }

  /** With {@code alpha} set, both DDOD inputs are required. */
  void requireDdodInputs(boolean hasScores, boolean hasPreds) {
    if (!hasScores || !hasPreds) {
      throw new IllegalArgumentException("ATSSAssigner with alpha=" + alpha
          + " (DDOD cost) needs cls_scores and bbox_preds; got cls_scores=" + (hasScores ? "given" : "None")
          + ", bbox_preds=" + (hasPreds ? "given" : "None"));
    }
  }

  record Outcome(AssignResult result, int[] candidates) {}

  /**
   * All inputs as doubles; with {@code f32} every arithmetic result is rounded to float32, which
   * for +, -, *, / and sqrt of float32 operands gives exactly the float32 result.
   */
  Outcome run(double[] b, int[] numLevelBboxes, double[] gt, double[] ign, int[] gtLabels, double[] cls,
      int numClasses, double[] preds, boolean f32, boolean candidatesOnly) {
    int n = BoxArgs.rows(b, "bboxes");
    int k = BoxArgs.rows(gt, "gt_bboxes");
    int[] levels = AssignerChecks.checkLevels(numLevelBboxes, n);
    BoxArgs.checkLabels(gtLabels, k);
    BoxArgs.requireFinite(b, "bboxes");
    double[] ignore = checkGts(n, gt, k, ign, gtLabels, cls, numClasses, preds, candidatesOnly);
    return run(new ATSSPriors(f32 ? Precision.F32 : Precision.F64, b, levels), gt, k, ignore, gtLabels, cls,
        numClasses, preds, candidatesOnly);
  }

  /**
   * {@link #run(double[], int[], double[], double[], int[], double[], int, double[], boolean, boolean)}
   * over prepared priors (checked when they were prepared), plain ATSS or DDOD alike.
   */
  Outcome run(ATSSPriors priors, double[] gt, double[] ign, int[] gtLabels, double[] cls, int numClasses,
      double[] preds) {
    int k = BoxArgs.rows(gt, "gt_bboxes");
    BoxArgs.checkLabels(gtLabels, k);
    double[] ignore = checkGts(priors.size(), gt, k, ign, gtLabels, cls, numClasses, preds, false);
    return run(priors, gt, k, ignore, gtLabels, cls, numClasses, preds, false);
  }

  /** Checks the gts, ignore boxes and DDOD inputs against {@code n} priors; returns the ignore boxes (empty for none). */
  private double[] checkGts(int n, double[] gt, int k, double[] ign, int[] gtLabels, double[] cls, int numClasses,
      double[] preds, boolean candidatesOnly) {
    BoxArgs.requireValidAnnotations(gt, "gt_bboxes");
    double[] ignore = BoxArgs.orEmpty(ign);
    BoxArgs.rows(ignore, "gt_bboxes_ignore");
    BoxArgs.requireValidAnnotations(ignore, "gt_bboxes_ignore");
    boolean ddod = alpha != null && !candidatesOnly;
    if (ddod) {
      requireDdodInputs(cls != null, preds != null);
      if (numClasses < 1 || cls.length != (long) n * numClasses) {
        throw new IllegalArgumentException("cls_scores must hold N x C = " + n + " x " + numClasses
            + " values with C >= 1; got " + cls.length);
      }
      Tensors.requireFinite(cls, "cls_scores");
      if (BoxArgs.rows(preds, "bbox_preds") != n) {
        throw new IllegalArgumentException("bbox_preds must have one box per prior (" + n + "); got "
            + preds.length / 4);
      }
      BoxArgs.requireFinite(preds, "bbox_preds");
      // A NaN logit makes its candidate's cost NaN, which silently drops every positive of that gt.
      Tensors.requireFinite(cls, "cls_scores");
      if (gtLabels == null) {
        throw new IllegalArgumentException("ATSSAssigner with alpha (DDOD cost) needs gt_labels to pick scores");
      }
      for (int j = 0; j < k; j++) {
        if (gtLabels[j] < 0 || gtLabels[j] >= numClasses) {
          throw new IllegalArgumentException("gt_labels[" + j + "] must be in [0, " + numClasses
              + ") to index cls_scores; got " + gtLabels[j]);
        }
      }
    }
    return ignore;
  }

  /** The assignment itself, every input checked. */
  private Outcome run(ATSSPriors priors, double[] gt, int k, double[] ignore, int[] gtLabels, double[] cls,
      int numClasses, double[] preds, boolean candidatesOnly) {
    double[] b = priors.bboxes();
    int n = priors.size();
    int[] levels = priors.levels();
    boolean f32 = priors.f32();
    int[] inds = new int[n];
    if (k == 0 || n == 0) {
      return new Outcome(AssignResult.labelled(k, inds, new double[n], gtLabels), new int[0]);
    }

    double[] bcx = priors.centreX();
    double[] bcy = priors.centreY();
    double[] gcx = new double[k];
    double[] gcy = new double[k];
    for (int j = 0; j < k; j++) {
      gcx[j] = round(round(gt[4 * j] + gt[4 * j + 2], f32) / 2, f32);
      gcy[j] = round(round(gt[4 * j + 1] + gt[4 * j + 3], f32) / 2, f32);
    }

    // Without ignored priors the search over the priors' centres is the prepared one.
    ATSSCandidates candidates;
    if (ignoreIofThr > 0 && ignore.length > 0) {
      boolean[] ignored = new boolean[n];
      double[] best = maxIofOverIgnore(b, n, ignore, f32);
      double thr = round(ignoreIofThr, f32);
      for (int i = 0; i < n; i++) {
        if (best[i] > thr) {
          ignored[i] = true;
          inds[i] = -1;
        }
      }
      candidates = new ATSSCandidates(topk, levels, bcx, bcy, ignored, f32);
    } else {
      candidates = priors.candidates(topk);
    }

    // Candidate selection, gt by gt and level by level.
    int m = candidates.perGt();
    int[] cand = new int[Limits.arrayLength("ATSS candidate indices (candidates per gt x gts)", m, k)];
    IntConsumer selectGts = chunk -> {
      ATSSCandidates.Scratch scratch = candidates.new Scratch();
      for (int j = chunk; j < k; j += SELECT_CHUNKS) {
        candidates.select(j, k, gcx[j], gcy[j], scratch, cand);
      }
    };
    // Each gt's candidates are computed alone and written to their own column of cand, so the
    // result is the same whichever thread computes which gt.
    if ((long) n * k >= PARALLEL_PAIRS) {
      IntStream.range(0, Math.min(k, SELECT_CHUNKS)).parallel().forEach(selectGts);
    } else {
      for (int chunk = 0; chunk < Math.min(k, SELECT_CHUNKS); chunk++) {
        selectGts.accept(chunk);
      }
    }
    if (candidatesOnly) {
      return new Outcome(null, cand);
    }

    double[] candOv = candidateOverlaps(b, gt, cand, m, k, gtLabels, cls, numClasses, preds, f32);
    TorchStats stats = new TorchStats(f32);
    double margin = round(CENTER_MARGIN, f32);
    BestGt best = new BestGt(n);
    for (int j = 0; j < k; j++) {
      double mean = stats.columnMean(candOv, m, k, j);
      double std = stats.columnStd(candOv, m, k, j);
      double thr = round(mean + std, f32);
      for (int q = 0; q < m; q++) {
        double ov = candOv[q * k + j];
        if (!(ov >= thr)) {
          continue;
        }
        int p = cand[q * k + j];
        if (centreInside(bcx[p], bcy[p], gt, j, margin, f32)) {
          best.offer(p, j, ov);
        }
      }
    }
    best.writeInds(inds);
    return new Outcome(AssignResult.labelled(k, inds, best.values(), gtLabels), cand);
  }

  /** Per prior, the largest IoF (over the prior's area) with any ignore box. */
  private static double[] maxIofOverIgnore(double[] b, int n, double[] ignore, boolean f32) {
    return IgnoreOverlaps.overPriors(b, n, ignore, Precision.of(f32));
  }

  /**
   * The overlaps of the {@code [m, k]} candidates with their gts: IoU of prior and gt, or the DDOD
   * cost from the classification score and the predicted box.
   */
  private double[] candidateOverlaps(double[] b, double[] gt, int[] cand, int m, int k, int[] gtLabels,
      double[] cls, int numClasses, double[] preds, boolean f32) {
    boolean ddod = alpha != null;
    double[] boxes = ddod ? preds : b;
    double[] out = new double[m * k];
    double[] iou = new double[m];
    double[] rows = new double[4 * m];
    double[] g = new double[4];
    for (int j = 0; j < k; j++) {
      for (int q = 0; q < m; q++) {
        System.arraycopy(boxes, 4 * cand[q * k + j], rows, 4 * q, 4);
      }
      System.arraycopy(gt, 4 * j, g, 0, 4);
      OverlapKernels.pairwise(rows, 0, m, g, OverlapMode.IOU, EPS, Precision.of(f32), iou);
      for (int q = 0; q < m; q++) {
        double v = iou[q];
        if (ddod) {
          int p = cand[q * k + j];
          double s = cls[p * numClasses + gtLabels[j]];
          double sig = round(1 / round(1 + round(Math.exp(-s), f32), f32), f32);
          v = round(torchPow(sig, 1 - alpha, f32) * torchPow(v, alpha, f32), f32);
        }
        out[q * k + j] = v;
      }
    }
    return out;
  }

  /**
   * {@code tensor ** exponent} as PyTorch evaluates it on the CPU: exponents 0, 1, 0.5, -0.5 and -1
   * (checked on the double) and 2, 3, -2 (checked after rounding to the tensor's precision) take
   * exact shortcuts; anything else is a general power with the exponent in the tensor's precision.
   */
  static double torchPow(double base, double exponent, boolean f32) {
    if (exponent == 0) {
      return 1;
    }
    if (exponent == 1) {
      return base;
    }
    if (exponent == 0.5) {
      return round(Math.sqrt(base), f32);
    }
    if (exponent == -0.5) {
      return round(1 / round(Math.sqrt(base), f32), f32);
    }
    if (exponent == -1) {
      return round(1 / base, f32);
    }
    double e = round(exponent, f32);
    if (e == 2) {
      return round(base * base, f32);
    }
    if (e == 3) {
      return round(round(base * base, f32) * base, f32);
    }
    if (e == -2) {
      return round(1 / round(base * base, f32), f32);
    }
    return round(Math.pow(base, e), f32);
  }

  /**
   * Whether the centre {@code (cx, cy)} lies more than {@code margin} inside gt {@code j}: each
   * distance to a side is rounded as torch computes it, and a NaN distance is not inside.
   */
  static boolean centreInside(double cx, double cy, double[] gt, int j, double margin, boolean f32) {
    double l = round(cx - gt[4 * j], f32);
    double t = round(cy - gt[4 * j + 1], f32);
    double r = round(gt[4 * j + 2] - cx, f32);
    double b = round(gt[4 * j + 3] - cy, f32);
    return Math.min(Math.min(l, t), Math.min(r, b)) > margin;
  }
}
