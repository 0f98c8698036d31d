package io.detkit.core.assign;

import java.util.stream.IntStream;

/**
 * The reductions {@link MaxIoUAssigner} needs from the {@code [K, N]} overlap matrix (gts by
 * priors), taken in one pass over column blocks while each block's rows are in cache: per prior the
 * best overlap and its first gt ({@code max(dim=0)}), per gt the best overlap and its first prior
 * ({@code max(dim=1)}). The matrix itself is never held: {@link Rows} computes (or copies) a block
 * of one row at a time.
 *
 * <p>Every value is compared as it comes, with strict comparisons that keep the first index on ties
 * like {@code torch.max}; the per-gt maxima of the blocks are merged in block order, so results do
 * not depend on the threads that ran the blocks.
 */
final class MaxOverlaps {
  /** Columns (priors) per block of the fused pass. */
  static final int BLOCK = 8192;
  /** Problems of at least this many pairs run their blocks on the common pool. */
  static final long PARALLEL_PAIRS = 1L << 18;
  /** Columns per block of the tie pass, which skips blocks that cannot hold a tie. */
  static final int TIE_BLOCK = 512;

  /** Supplies overlap row {@code gt}, columns {@code [j0, j1)}, as {@code dst[j - j0]}; called from several threads. */
  interface Rows {
    void fill(int gt, int j0, int j1, double[] dst);
  }

  final double[] priorMax;
  final int[] priorArgmax;
  final double[] gtMax;
  final int[] gtArgmax;
  private final Rows rows;

  private MaxOverlaps(Rows rows, int k, int n) {
    this.rows = rows;
    priorMax = new double[n];
    priorArgmax = new int[n];
    gtMax = new double[k];
    gtArgmax = new int[k];
  }

  /** The reductions of a {@code k x n} matrix, {@code k, n >= 1}. */
  static MaxOverlaps of(Rows rows, int k, int n) {
    MaxOverlaps r = new MaxOverlaps(rows, k, n);
    int blocks = (n + BLOCK - 1) / BLOCK;
    double[][] blockMax = new double[blocks][];
    int[][] blockArg = new int[blocks][];
    IntStream range = IntStream.range(0, blocks);
    if ((long) k * n >= PARALLEL_PAIRS && blocks > 1) {
      range = range.parallel();
    }
    range.forEach(c -> {
      blockMax[c] = new double[k];
      blockArg[c] = new int[k];
      r.block(c * BLOCK, Math.min(n, (c + 1) * BLOCK), blockMax[c], blockArg[c]);
    });
    for (int i = 0; i < k; i++) {
      double gm = blockMax[0][i];
      int ga = blockArg[0][i];
      for (int c = 1; c < blocks; c++) {
        if (blockMax[c][i] > gm) {
          gm = blockMax[c][i];
          ga = blockArg[c][i];
        }
      }
      r.gtMax[i] = gm;
      r.gtArgmax[i] = ga;
    }
    return r;
  }

  private void block(int j0, int j1, double[] gm, int[] ga) {
    double[] buf = new double[j1 - j0];
    for (int i = 0; i < gm.length; i++) {
      rows.fill(i, j0, j1, buf);
      double best = buf[0];
      int arg = j0;
      for (int j = j0; j < j1; j++) {
        double v = buf[j - j0];
        if (i == 0 || v > priorMax[j]) {
          priorMax[j] = v;
          priorArgmax[j] = i;
        }
        if (v > best) {
          best = v;
          arg = j;
        }
      }
      gm[i] = best;
      ga[i] = arg;
    }
  }

  /**
   * For each gt in index order whose best overlap is {@code >= minPos}, sets {@code inds[j] = gt + 1}
   * for every prior whose overlap with it equals that best (later gts overwrite earlier ones). A
   * prior's overlap with any gt is at most its {@link #priorMax}, so only blocks holding a prior
   * with {@code priorMax >= gtMax} are computed again.
   */
  void assignTies(double minPos, int[] inds) {
    int n = priorMax.length;
    int blocks = (n + TIE_BLOCK - 1) / TIE_BLOCK;
    // The best prior overlap per tie block, once: a block whose best is below a gt's best holds no tie.
    double[] blockBest = new double[blocks];
    for (int c = 0; c < blocks; c++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = c * TIE_BLOCK; j < Math.min(n, (c + 1) * TIE_BLOCK); j++) {
        best = Math.max(best, priorMax[j]);
      }
      blockBest[c] = best;
    }
    double[] buf = new double[Math.min(TIE_BLOCK, n)];
    for (int i = 0; i < gtMax.length; i++) {
      double gm = gtMax[i];
      if (!(gm >= minPos)) {
        continue;
      }
      for (int c = 0; c < blocks; c++) {
        if (!(blockBest[c] >= gm)) {
          continue;
        }
        int j0 = c * TIE_BLOCK;
        int j1 = Math.min(n, j0 + TIE_BLOCK);
        rows.fill(i, j0, j1, buf);
        for (int j = j0; j < j1; j++) {
          if (buf[j - j0] == gm) {
            inds[j] = i + 1;
          }
        }
      }
    }
  }
}
