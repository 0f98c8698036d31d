package io.detkit.core.order;

/**
 * Index orderings over primitive keys, written once for every module: candidate ranking before NMS,
 * score ordering in a head's post-processing, NMS output order.
 *
 * <p>The order is total: keys by value (descending or ascending), equal keys ({@code ==}, so
 * {@code -0.0} ties {@code 0.0}) by the lower index. PyTorch's sort is not stable, so where it
 * leaves ties open detkit fixes them this way, and the result does not depend on the input order
 * of the indices or on the sorting algorithm. NaN keys are rejected: they have no place in a total
 * order. (Where a result must replay PyTorch's own tie choices, {@link TorchTopk} does that.)
 *
 * <p>The sort is a merge sort over {@code int} indices (insertion sort for runs of 16, then
 * bottom-up merges): {@code O(n log n)}, no boxing. Stateless; the methods may be called from any
 * thread, and concurrently on disjoint ranges of one index array.
 */
public final class Argsort {
  private static final int RUN = 16;

  private Argsort() {}

  /** The indices {@code 0..keys.length-1}, highest key first, equal keys by lower index. */
  public static int[] descending(double[] keys) {
    return all(keys, true);
  }

  /** The indices {@code 0..keys.length-1}, lowest key first, equal keys by lower index. */
  public static int[] ascending(double[] keys) {
    return all(keys, false);
  }

  /**
   * Sorts {@code idx[from, to)} in place by descending {@code keys[idx[k]]}, equal keys by lower
   * index. Every index in the range must be a valid position of {@code keys}.
   *
   * @throws IllegalArgumentException if the range is outside {@code idx} or a key in it is NaN
   */
  public static void sortDescending(int[] idx, int from, int to, double[] keys) {
    sort(idx, new int[idx.length], from, to, keys, true);
  }

  /**
   * As {@link #sortDescending(int[], int, int, double[])}, merging through the caller's
   * {@code scratch} (at least {@code to} long; its range {@code [from, to)} is overwritten) so a
   * caller sorting many ranges allocates once.
   */
  public static void sortDescending(int[] idx, int[] scratch, int from, int to, double[] keys) {
    sort(idx, scratch, from, to, keys, true);
  }

  /** As {@link #sortDescending(int[], int, int, double[])}, lowest key first. */
  public static void sortAscending(int[] idx, int from, int to, double[] keys) {
    sort(idx, new int[idx.length], from, to, keys, false);
  }

  private static int[] all(double[] keys, boolean descending) {
    int[] idx = new int[keys.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    sort(idx, new int[idx.length], 0, idx.length, keys, descending);
    return idx;
  }

  private static void sort(int[] a, int[] tmp, int from, int to, double[] keys, boolean desc) {
    if (from < 0 || from > to || to > a.length) {
      throw new IllegalArgumentException(
          "range [from, to) must lie within the " + a.length + " indices; got [" + from + ", " + to + ")");
    }
    if (tmp.length < to) {
      throw new IllegalArgumentException("scratch must hold at least " + to + " entries; got " + tmp.length);
    }
    for (int i = from; i < to; i++) {
      if (Double.isNaN(keys[a[i]])) {
        throw new IllegalArgumentException("keys[" + a[i] + "] must not be NaN");
      }
    }
    for (int lo = from; lo < to; lo += RUN) {
      int hi = Math.min(lo + RUN, to);
      for (int i = lo + 1; i < hi; i++) {
        int v = a[i];
        int k = i - 1;
        while (k >= lo && before(keys, v, a[k], desc)) {
          a[k + 1] = a[k];
          k--;
        }
        a[k + 1] = v;
      }
    }
    int[] src = a;
    int[] dst = tmp;
    for (int width = RUN; width < to - from; width *= 2) {
      for (int lo = from; lo < to; lo += 2 * width) {
        int mid = Math.min(lo + width, to);
        int hi = Math.min(lo + 2 * width, to);
        int x = lo;
        int y = mid;
        int o = lo;
        while (x < mid && y < hi) {
          dst[o++] = before(keys, src[y], src[x], desc) ? src[y++] : src[x++];
        }
        while (x < mid) {
          dst[o++] = src[x++];
        }
        while (y < hi) {
          dst[o++] = src[y++];
        }
      }
      int[] s = src;
      src = dst;
      dst = s;
    }
    if (src != a) {
      System.arraycopy(src, from, a, from, to - from);
    }
  }

  /** Whether index {@code i} comes before index {@code j}. */
  private static boolean before(double[] keys, int i, int j, boolean desc) {
    double ki = keys[i];
    double kj = keys[j];
    if (ki == kj) {
      return i < j;
    }
    return desc ? ki > kj : ki < kj;
  }
}
