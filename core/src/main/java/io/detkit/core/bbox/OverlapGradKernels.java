package io.detkit.core.bbox;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.precision.Precision;

/**
 * Vector-Jacobian products of {@code bbox_overlaps} on primitive arrays: the gradient PyTorch's
 * autograd computes for {@code (overlaps * upstream).sum()} w.r.t. both box sets, with autograd's
 * subgradient choices.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} rows packed in flat double arrays. With {@code f32} every
 * elementwise intermediate is rounded to float32 (the double result of +, -, *, / rounded to float
 * equals float32 arithmetic), so the backward follows torch's float32 graph operation by operation;
 * sums over broadcast dimensions are accumulated in double, where torch uses a float32 tree sum.
 *
 * <p>Subgradients reproduced from torch 1.13's derivative formulas:
 * <ul>
 *   <li>{@code clamp(min=0)} passes the gradient where its input is {@code >= 0}, so touching
 *       boxes (zero-width intersection) still move;
 *   <li>{@code torch.max/min(a, b)} elementwise give the whole gradient to the larger (smaller)
 *       argument and split it in halves on ties;
 *   <li>{@code max(union, eps)} is the same rule with {@code eps} as the second argument: a union
 *       below eps gets no gradient, one equal to it gets half.
 * </ul>
 *
 * <p>Per box the gradient arrives along three paths that torch keeps apart until it adds them into
 * the leaf: the intersection corners, the enclosing-box corners (GIoU only) and the area. The
 * kernels therefore accumulate {@value #SLOTS} sums per box (layout below) and {@link #finish}
 * combines them.
 */
final class OverlapGradKernels {
  /** Per-box accumulator slots: 0-3 intersection corners x1,y1,x2,y2; 4-7 enclosure corners; 8 area. */
  static final int SLOTS = 9;
  /** Aligned problems of at least this many boxes run in blocks on the common pool. */
  static final int PARALLEL_BOXES = 4096;
  /** Boxes a parallel block covers. */
  static final int BOX_BLOCK = 2048;

  private OverlapGradKernels() {}

  /** Gradient reaching the first argument of {@code torch.maximum(self, other)}. */
  private static double maxToSelf(double self, double other, double g, boolean f32) {
    if (self == other) {
      return round(g * 0.5, f32);
    }
    return self < other ? 0 : g;
  }

  /** Gradient reaching the second argument of {@code torch.maximum(self, other)}. */
  private static double maxToOther(double self, double other, double g, boolean f32) {
    if (self == other) {
      return round(g * 0.5, f32);
    }
    return self > other ? 0 : g;
  }

  private static double minToSelf(double self, double other, double g, boolean f32) {
    if (self == other) {
      return round(g * 0.5, f32);
    }
    return self > other ? 0 : g;
  }

  private static double minToOther(double self, double other, double g, boolean f32) {
    if (self == other) {
      return round(g * 0.5, f32);
    }
    return self < other ? 0 : g;
  }

  /** {@code (x2 - x1) * (y2 - y1)} of box {@code i}. */
  static double area(double[] boxes, int i, boolean f32) {
    return PairOverlap.area(boxes, i, Precision.of(f32));
  }

  /**
   * Backpropagates {@code g} through one pair's overlap, adding into box {@code ia}'s slots of
   * {@code sa} and box {@code ib}'s slots of {@code sb} ({@code sb} may be null).
   */
  private static void pair(double[] a, int ia, double area1, double[] b, int ib, double area2, double g,
      OverlapMode mode, double eps, boolean f32, double[] sa, double[] sb) {
    double ax1 = a[4 * ia];
    double ay1 = a[4 * ia + 1];
    double ax2 = a[4 * ia + 2];
    double ay2 = a[4 * ia + 3];
    double bx1 = b[4 * ib];
    double by1 = b[4 * ib + 1];
    double bx2 = b[4 * ib + 2];
    double by2 = b[4 * ib + 3];
    int oa = SLOTS * ia;
    int ob = SLOTS * ib;

    // Forward pass, kept for the local derivatives.
    double dw = round(Math.min(ax2, bx2) - Math.max(ax1, bx1), f32);
    double dh = round(Math.min(ay2, by2) - Math.max(ay1, by1), f32);
    double w = Math.max(dw, 0);
    double h = Math.max(dh, 0);
    double overlap = round(w * h, f32);
    boolean iof = mode == OverlapMode.IOF;
    double union = iof ? area1 : round(round(area1 + area2, f32) - overlap, f32);
    double u = Math.max(union, eps);

    double gU = 0;
    if (mode == OverlapMode.GIOU) {
      double ew = round(Math.max(ax2, bx2) - Math.min(ax1, bx1), f32);
      double eh = round(Math.max(ay2, by2) - Math.min(ay1, by1), f32);
      double ewc = Math.max(ew, 0);
      double ehc = Math.max(eh, 0);
      double enclose = round(ewc * ehc, f32);
      double e = Math.max(enclose, eps);
      double diff = round(e - u, f32);
      // giou = iou - diff / e: the quotient's gradient is -g; div sends grad/e to diff and
      // -grad * ((diff / e) / e) to e; the sub sends diff's gradient to e and its negation to u.
      double gQuot = -g;
      double gDiff = round(gQuot / e, f32);
      double gE = round(round(-gQuot * round(round(diff / e, f32) / e, f32), f32) + gDiff, f32);
      gU = -gDiff;
      double gEnclose = maxToSelf(enclose, eps, gE, f32);
      double gEw = ew >= 0 ? round(gEnclose * ehc, f32) : 0;
      double gEh = eh >= 0 ? round(gEnclose * ewc, f32) : 0;
      sa[oa + 4] += minToSelf(ax1, bx1, -gEw, f32);
      sa[oa + 5] += minToSelf(ay1, by1, -gEh, f32);
      sa[oa + 6] += maxToSelf(ax2, bx2, gEw, f32);
      sa[oa + 7] += maxToSelf(ay2, by2, gEh, f32);
      if (sb != null) {
        sb[ob + 4] += minToOther(ax1, bx1, -gEw, f32);
        sb[ob + 5] += minToOther(ay1, by1, -gEh, f32);
        sb[ob + 6] += maxToOther(ax2, bx2, gEw, f32);
        sb[ob + 7] += maxToOther(ay2, by2, gEh, f32);
      }
    }
    // iou = overlap / u
    double gOverlap = round(g / u, f32);
    gU = round(gU + round(-g * round(round(overlap / u, f32) / u, f32), f32), f32);
    double gUnion = maxToSelf(union, eps, gU, f32);
    sa[oa + 8] += gUnion;
    if (!iof) {
      // union = (area1 + area2) - overlap
      if (sb != null) {
        sb[ob + 8] += gUnion;
      }
      gOverlap = round(gOverlap - gUnion, f32);
    }
    double gDw = dw >= 0 ? round(gOverlap * h, f32) : 0;
    double gDh = dh >= 0 ? round(gOverlap * w, f32) : 0;
    sa[oa] += maxToSelf(ax1, bx1, -gDw, f32);
    sa[oa + 1] += maxToSelf(ay1, by1, -gDh, f32);
    sa[oa + 2] += minToSelf(ax2, bx2, gDw, f32);
    sa[oa + 3] += minToSelf(ay2, by2, gDh, f32);
    if (sb != null) {
      sb[ob] += maxToOther(ax1, bx1, -gDw, f32);
      sb[ob + 1] += maxToOther(ay1, by1, -gDh, f32);
      sb[ob + 2] += minToOther(ax2, bx2, gDw, f32);
      sb[ob + 3] += minToOther(ay2, by2, gDh, f32);
    }
  }

  /**
   * Accumulates the gradient of rows {@code [rowStart, rowEnd)} of the {@code n x m} overlap
   * matrix; {@code g[(i - rowStart) * m + j]} is the upstream gradient of pair (i, j).
   *
   * @param sa {@code SLOTS * n} sums for {@code a}'s boxes
   * @param sb {@code SLOTS * m} sums for {@code b}'s boxes, or null to skip them
   * @param area2 {@code b}'s areas from {@link #area}
   */
  static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, double[] area2, OverlapMode mode,
      double eps, boolean f32, double[] g, double[] sa, double[] sb) {
    int m = b.length / 4;
    for (int i = rowStart; i < rowEnd; i++) {
      double area1 = area(a, i, f32);
      int o = (i - rowStart) * m;
      for (int j = 0; j < m; j++) {
        pair(a, i, area1, b, j, area2[j], g[o + j], mode, eps, f32, sa, sb);
      }
    }
  }

  /** Accumulates the gradient of aligned pairs; {@code g[i]} is pair i's upstream gradient. */
  static void aligned(double[] a, double[] b, OverlapMode mode, double eps, boolean f32, double[] g,
      double[] sa, double[] sb) {
    int n = a.length / 4;
    // Pair i writes only box i's slots, so blocks of pairs can run on any thread.
    ParallelBlocks.run(n, n, PARALLEL_BOXES, BOX_BLOCK, (i0, i1) -> {
      for (int i = i0; i < i1; i++) {
        pair(a, i, area(a, i, f32), b, i, area(b, i, f32), g[i], mode, eps, f32, sa, sb);
      }
    });
  }

  /**
   * Turns the per-box sums into coordinate gradients: the area path through
   * {@code (x2 - x1) * (y2 - y1)}, then the intersection and enclosure paths added to it.
   *
   * @param grad receives {@code 4 * n} values starting at {@code offset}
   */
  static void finish(double[] boxes, double[] sums, boolean f32, double[] grad, int offset) {
    int n = boxes.length / 4;
    ParallelBlocks.run(n, n, PARALLEL_BOXES, BOX_BLOCK, (k0, k1) -> finishBoxes(boxes, sums, f32, grad, offset, k0, k1));
  }

  private static void finishBoxes(double[] boxes, double[] sums, boolean f32, double[] grad, int offset, int k0,
      int k1) {
    for (int k = k0; k < k1; k++) {
      int s = SLOTS * k;
      double dx = round(boxes[4 * k + 2] - boxes[4 * k], f32);
      double dy = round(boxes[4 * k + 3] - boxes[4 * k + 1], f32);
      double gArea = round(sums[s + 8], f32);
      double gDx = round(gArea * dy, f32);
      double gDy = round(gArea * dx, f32);
      int o = offset + 4 * k;
      grad[o] = round(round(-gDx + round(sums[s], f32), f32) + round(sums[s + 4], f32), f32);
      grad[o + 1] = round(round(-gDy + round(sums[s + 1], f32), f32) + round(sums[s + 5], f32), f32);
      grad[o + 2] = round(round(gDx + round(sums[s + 2], f32), f32) + round(sums[s + 6], f32), f32);
      grad[o + 3] = round(round(gDy + round(sums[s + 3], f32), f32) + round(sums[s + 7], f32), f32);
    }
  }
}
