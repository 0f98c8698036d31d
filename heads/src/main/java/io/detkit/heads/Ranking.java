package io.detkit.heads;

/**
 * Orders candidate indices by descending score. PyTorch's sort is not stable; detkit breaks ties
 * by the lower index so that results are deterministic.
 */
final class Ranking {
  private Ranking() {}

  /**
   * The first {@code m} entries of {@code idx} ordered by descending {@code scores[idx[k]]}, ties by
   * ascending index.
   */
  static int[] byDescendingScore(int[] idx, int m, double[] scores) {
    int[] a = java.util.Arrays.copyOf(idx, m);
    int[] tmp = new int[m];
    // Bottom-up merge sort: stable, O(m log m), no boxing.
    for (int width = 1; width < m; width *= 2) {
      for (int lo = 0; lo < m; lo += 2 * width) {
        int mid = Math.min(lo + width, m);
        int hi = Math.min(lo + 2 * width, m);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          tmp[k++] = scores[a[j]] > scores[a[i]] ? a[j++] : a[i++];
        }
        while (i < mid) {
          tmp[k++] = a[i++];
        }
        while (j < hi) {
          tmp[k++] = a[j++];
        }
      }
      int[] t = a;
      a = tmp;
      tmp = t;
    }
    return a;
  }
}
