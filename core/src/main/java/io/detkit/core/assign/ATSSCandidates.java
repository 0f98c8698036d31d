package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.order.TorchTopk;
import java.util.Arrays;

/**
 * ATSS candidate selection: for a gt centre, on each level the {@code min(topk, level size)} priors
 * with the smallest centre distances, in {@code torch.topk(largest=False)}'s order with its ties.
 * Built once per assignment from the prior centres; {@link #select} then runs once per gt, from
 * any thread, each with its own {@link Scratch}.
 *
 * <p>Why it is fast and still exact: where torch takes its heap path ({@link TorchTopk#usesHeap},
 * the large levels) the priors are offered in index order, and a prior whose distance is not less
 * than the heap's current top changes nothing, so it need not be computed. Priors are grouped in
 * blocks of {@value #BLOCK} consecutive indices with the bounding box of their centres; the distance
 * formula applied to the (rounded) gaps between the gt centre and that box is a lower bound of every
 * prior's distance in the block, because each step of the formula (subtraction, square, sum, square
 * root, each rounded to nearest in the working precision) is monotone. A block whose bound the heap
 * already rejects is skipped whole, and groups of {@value #GROUP} blocks are checked first the same
 * way (the rows past the gt go a group at a time). On a regular anchor grid the priors computed are
 * those of a few blocks per row above the gt, near its column: about a tenth of a COCO image's
 * 20,267 per gt. (A binary tree over the blocks visited as many nodes on that grid, rows being only
 * 19 blocks wide, and was slower.) The small levels (torch's nth_element path) compute every distance, as before. Centres
 * that are not all finite turn the skipping off (a NaN distance would break the bound).
 */
final class ATSSCandidates {
  /** Priors per block: a block is a run of consecutive indices within one level. */
  static final int BLOCK = 8;
  /** Blocks per group: a group's bound skips its blocks at once (the rows far from the gt). */
  static final int GROUP = 16;

  private final int topk;
  private final int[] levels;
  private final double[] bcx;
  private final double[] bcy;
  private final boolean[] ignored;
  private final boolean f32;
  /**
   * Distances a {@link Scratch} holds at once: a heap level's first k, or a whole level on torch's
   * other path (the large levels' distances are offered one by one, never stored).
   */
  private final int scratchLength;
  /** Whether every centre is finite, so block bounds may skip priors. */
  private final boolean pruning;
  /** Per block (levels one after another): the centres' ranges. */
  private final Boxes blocks;
  /** Per group of {@value #GROUP} consecutive blocks of one level: the blocks' ranges together. */
  private final Boxes groups;

  /**
   * @param bcx prior centres' x, in the working precision
   * @param bcy prior centres' y
   * @param ignored per prior, whether it is pushed out of reach (distance {@link ATSSMatcher#INF})
   * @param f32 whether every step rounds to float32
   */
  ATSSCandidates(int topk, int[] levels, double[] bcx, double[] bcy, boolean[] ignored, boolean f32) {
    this.topk = topk;
    this.levels = levels;
    this.bcx = bcx;
    this.bcy = bcy;
    this.ignored = ignored;
    this.f32 = f32;
    int blockCount = 0;
    int groupCount = 0;
    int stored = 0;
    for (int size : levels) {
      int inLevel = (size + BLOCK - 1) / BLOCK;
      blockCount += inLevel;
      groupCount += (inLevel + GROUP - 1) / GROUP;
      int kk = Math.min(topk, size);
      stored = Math.max(stored, TorchTopk.usesHeap(size, kk) ? kk : size);
    }
    this.scratchLength = stored;
    blocks = new Boxes(blockCount);
    groups = new Boxes(groupCount);
    boolean finite = true;
    int block = 0;
    int group = 0;
    int start = 0;
    for (int size : levels) {
      for (int lo = 0; lo < size; lo += BLOCK, block++) {
        if (lo % (BLOCK * GROUP) == 0) {
          group++;
        }
        for (int p = start + lo; p < start + Math.min(lo + BLOCK, size); p++) {
          finite &= Double.isFinite(bcx[p]) && Double.isFinite(bcy[p]);
          blocks.add(block, bcx[p], bcy[p], ignored[p]);
        }
        groups.merge(group - 1, blocks, block);
      }
      start += size;
    }
    this.pruning = finite;
  }

  /** The candidates per level and gt this search selects (at most). */
  int topk() {
    return topk;
  }

  /** Candidates per gt over all levels: the sum of {@code min(topk, level size)}. */
  int perGt() {
    int m = 0;
    for (int size : levels) {
      m += Math.min(topk, size);
    }
    return m;
  }

  /** One thread's buffers for {@link #select}. */
  final class Scratch {
    private final double[] dist = new double[scratchLength];
    private final TorchTopk selector = new TorchTopk();
  }

  /**
   * Gt {@code j}'s candidates (centre {@code (gcx, gcy)}, in the working precision), written to
   * column {@code j} of {@code cand} ({@code [perGt(), k]} row-major, levels one after another) as
   * global prior indices. Reads only this object and writes only that column.
   */
  void select(int j, int k, double gcx, double gcy, Scratch scratch, int[] cand) {
    double[] dist = scratch.dist;
    TorchTopk selector = scratch.selector;
    boolean prune = pruning && Double.isFinite(gcx) && Double.isFinite(gcy);
    int start = 0;
    int row = 0;
    int block = 0;
    int group = 0;
    for (int size : levels) {
      int kk = Math.min(topk, size);
      int blockCount = (size + BLOCK - 1) / BLOCK;
      int groupCount = (blockCount + GROUP - 1) / GROUP;
      int[] sel;
      if (TorchTopk.usesHeap(size, kk)) {
        for (int i = 0; i < kk; i++) {
          dist[i] = distance(start + i, gcx, gcy);
        }
        selector.beginHeap(dist, kk);
        for (int g = 0; g < groupCount; g++) {
          if (prune && selector.rejects(groups.lowerBound(group + g, gcx, gcy))) {
            continue;
          }
          for (int b = g * GROUP; b < Math.min((g + 1) * GROUP, blockCount); b++) {
            int lo = Math.max(b * BLOCK, kk);
            int hi = Math.min((b + 1) * BLOCK, size);
            if (lo >= hi || prune && selector.rejects(blocks.lowerBound(block + b, gcx, gcy))) {
              continue;
            }
            for (int i = lo; i < hi; i++) {
              selector.offer(i, distance(start + i, gcx, gcy));
            }
          }
        }
        sel = selector.finishHeap();
      } else {
        for (int i = 0; i < size; i++) {
          dist[i] = distance(start + i, gcx, gcy);
        }
        sel = selector.smallest(dist, size, kk);
      }
      for (int q = 0; q < kk; q++) {
        cand[(row + q) * k + j] = sel[q] + start;
      }
      row += kk;
      start += size;
      block += blockCount;
      group += groupCount;
    }
  }

  /** Prior {@code p}'s centre distance to {@code (gcx, gcy)}, or INF when it is ignored. */
  private double distance(int p, double gcx, double gcy) {
    if (ignored[p]) {
      return ATSSMatcher.INF;
    }
    return f32 ? normF32((float) bcx[p] - (float) gcx, (float) bcy[p] - (float) gcy)
        : norm(bcx[p] - gcx, bcy[p] - gcy);
  }

  /** {@code sqrt(dx^2 + dy^2)} in torch's operation order, each step rounded. */
  private double norm(double dx, double dy) {
    return f32 ? normF32((float) dx, (float) dy) : Math.sqrt(dx * dx + dy * dy);
  }

  /**
   * {@link #norm} of float32 gaps in float arithmetic: each float operation (and the square root
   * of a float, rounded) gives the bits of the double operation rounded to float32, as the
   * double format holds more than twice float's precision; without the conversions back and forth
   * between the steps, the distance's dependency chain is about half as long. Pinned bit for bit
   * to the rounded double formula by {@code ATSSCandidatesTest}.
   */
  static double normF32(float dx, float dy) {
    return (float) Math.sqrt(dx * dx + dy * dy);
  }

  /** Centre ranges of consecutive runs of priors (blocks or groups), filled prior by prior. */
  private final class Boxes {
    private final double[] minX;
    private final double[] maxX;
    private final double[] minY;
    private final double[] maxY;
    /** Whether the run holds an ignored prior (distance {@link ATSSMatcher#INF}). */
    private final boolean[] hasIgnored;

    Boxes(int count) {
      minX = new double[count];
      maxX = new double[count];
      minY = new double[count];
      maxY = new double[count];
      hasIgnored = new boolean[count];
      Arrays.fill(minX, Double.POSITIVE_INFINITY);
      Arrays.fill(maxX, Double.NEGATIVE_INFINITY);
      Arrays.fill(minY, Double.POSITIVE_INFINITY);
      Arrays.fill(maxY, Double.NEGATIVE_INFINITY);
    }

    /**
     * Widens run {@code i}'s ranges to cover {@code (x, y)}. Plain comparisons, cheaper than
     * {@code Math.min}: a NaN centre turns the skipping off anyway, and -0 and 0 give the same gaps.
     */
    void add(int i, double x, double y, boolean isIgnored) {
      minX[i] = x < minX[i] ? x : minX[i];
      maxX[i] = x > maxX[i] ? x : maxX[i];
      minY[i] = y < minY[i] ? y : minY[i];
      maxY[i] = y > maxY[i] ? y : maxY[i];
      hasIgnored[i] |= isIgnored;
    }

    /** Widens run {@code i}'s ranges to cover run {@code j} of {@code other}. */
    void merge(int i, Boxes other, int j) {
      minX[i] = Math.min(minX[i], other.minX[j]);
      maxX[i] = Math.max(maxX[i], other.maxX[j]);
      minY[i] = Math.min(minY[i], other.minY[j]);
      maxY[i] = Math.max(maxY[i], other.maxY[j]);
      hasIgnored[i] |= other.hasIgnored[j];
    }

    /**
     * Not more than the distance of any prior in run {@code i} (see the class comment): the norm of
     * the gaps from the gt centre to the run's centre ranges, and at most INF if it holds an
     * ignored prior.
     */
    double lowerBound(int i, double gcx, double gcy) {
      double ax = gcx < minX[i] ? round(minX[i] - gcx, f32) : gcx > maxX[i] ? round(gcx - maxX[i], f32) : 0;
      double ay = gcy < minY[i] ? round(minY[i] - gcy, f32) : gcy > maxY[i] ? round(gcy - maxY[i], f32) : 0;
      double lb = norm(ax, ay);
      return hasIgnored[i] ? Math.min(lb, ATSSMatcher.INF) : lb;
    }
  }
}
