package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Index-level building blocks shared by the samplers: the candidate sets of an {@link AssignResult}
 * and uniform selection without replacement.
 *
 * <p>Everything works on primitive {@code int[]} arrays; nothing here touches ND4J.
 */
public final class IndexSampling {
  private IndexSampling() {}

  /**
   * Indices {@code i} with {@code gt_inds[i] > 0}, ascending (the order of {@code torch.nonzero}).
   *
   * @throws IllegalArgumentException if {@code assignResult} is null
   */
  public static int[] positives(AssignResult assignResult) {
    Tensors.requireNonNull(assignResult, "assign_result");
    return where(assignResult, assignResult.numPositive(), g -> g > 0);
  }

  /**
   * Indices {@code i} with {@code gt_inds[i] == 0}, ascending. Ignored priors ({@code -1}) are
   * neither positive nor negative.
   *
   * @throws IllegalArgumentException if {@code assignResult} is null
   */
  public static int[] negatives(AssignResult assignResult) {
    Tensors.requireNonNull(assignResult, "assign_result");
    return where(assignResult, assignResult.numNegative(), g -> g == 0);
  }

  /** The {@code count} indices whose {@code gt_inds} value passes {@code test}, ascending. */
  private static int[] where(AssignResult assignResult, int count, IntPredicate test) {
    int n = assignResult.size();
    int[] out = new int[count];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (test.test(assignResult.gtInd(i))) {
        out[k++] = i;
      }
    }
    return out;
  }

  /**
   * {@code gallery} itself when all of it fits in {@code numExpected} (every sampler's first
   * step: nothing to choose), else {@code choose.apply(gallery)}.
   */
  static int[] fitOrChoose(int[] gallery, int numExpected, UnaryOperator<int[]> choose) {
    return gallery.length <= numExpected ? gallery : choose.apply(gallery);
  }

  /** {@code gallery} when it fits in {@code k}, else a uniform {@code k}-subset ({@link #choose}). */
  static int[] atMost(int[] gallery, int k, RandomGenerator rng) {
    return fitOrChoose(gallery, k, g -> choose(g, k, rng));
  }

  /**
   * {@code k} elements of {@code gallery} chosen uniformly at random without replacement: every
   * {@code k}-subset of positions is equally likely. The chosen elements come back in the order
   * they have in {@code gallery}, not in draw order: MMDetection sorts every sampled index set
   * ({@code unique()}) before it becomes observable, so draw order carries no meaning and a stable
   * order makes results easier to compare.
   *
   * <p>A partial Fisher–Yates shuffle over a primitive permutation of positions: {@code k} calls to
   * {@code rng.nextInt}, O(n) time and memory.
   *
   * @throws IllegalArgumentException if {@code gallery} or {@code rng} is null, {@code k < 0} or
   *     {@code k > gallery.length}
   */
  public static int[] choose(int[] gallery, int k, RandomGenerator rng) {
    Tensors.requireNonNull(gallery, "gallery");
    Tensors.requireNonNull(rng, "rng");
    int n = gallery.length;
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("k must be in [0, " + n + "] (the gallery size); got " + k);
    }
    if (k == n) {
      return gallery.clone();
    }
    if (k == 0) {
      return new int[0];
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    boolean[] chosen = new boolean[n];
    for (int i = 0; i < k; i++) {
      chosen[perm[i]] = true;
    }
    int[] out = new int[k];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (chosen[i]) {
        out[m++] = gallery[i];
      }
    }
    return out;
  }

  /**
   * The distinct values of {@code values}, ascending (torch's {@code unique()}); a new array.
   *
   * @throws IllegalArgumentException if {@code values} is null
   */
  public static int[] sortedUnique(int[] values) {
    int[] s = Tensors.requireNonNull(values, "values").clone();
    Arrays.sort(s);
    int m = 0;
    for (int i = 0; i < s.length; i++) {
      if (i == 0 || s[i] != s[i - 1]) {
        s[m++] = s[i];
      }
    }
    return m == s.length ? s : Arrays.copyOf(s, m);
  }

  /** {@code a} followed by {@code b}. */
  static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Elements of {@code gallery} (ascending, within {@code [0, size)}) that are not in
   * {@code taken}, in gallery order: the set difference MMDetection writes with Python sets.
   */
  static int[] without(int[] gallery, int[] taken, int size) {
    boolean[] mark = new boolean[size];
    for (int t : taken) {
      mark[t] = true;
    }
    int[] out = new int[gallery.length];
    int m = 0;
    for (int g : gallery) {
      if (!mark[g]) {
        out[m++] = g;
      }
    }
    return Arrays.copyOf(out, m);
  }
}
