package io.detkit.core.order;

/**
 * {@code torch.topk(k, largest=False)} over one vector, with PyTorch's CPU tie-breaking.
 *
 * <p>PyTorch (1.x, CPU) fills a queue of (value, index) pairs and runs libstdc++'s
 * {@code std::partial_sort} when {@code 64*k <= n}, otherwise {@code std::nth_element} at
 * {@code k-1} followed by {@code std::sort} of the first {@code k-1} entries. Neither is stable, so
 * which of several equal distances lands inside the top k (and in which order) is decided by those
 * algorithms' exact sequence of comparisons and swaps. ATSS candidate selection depends on it when
 * anchor centres are equidistant from a gt centre, so this class replays the same introselect,
 * introsort and heap operations step for step. NaN compares as larger than every number, as in
 * PyTorch's comparator.
 *
 * <p>Not thread-safe: one instance per thread (it reuses its buffers from call to call).
 */
public final class TorchTopk {
  private static final int SORT_THRESHOLD = 16;

  private double[] vals;
  private int[] idx;

  /**
   * Positions of the {@code k} smallest of {@code values[0..n)}, in the order torch returns them.
   * Reuses this instance's buffers.
   */
  public int[] smallest(double[] values, int n, int k) {
    if (n < 0 || n > values.length) {
      throw new IllegalArgumentException("n must be in [0, " + values.length + "]; got " + n);
    }
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("k must be in [0, " + n + "]; got " + k);
    }
    if (k == 0) {
      return new int[0];
    }
    boolean partial = (long) k * 64 <= n;
    // partial_sort reads each entry past the heap once, before anything writes it: those are read
    // from values in place, so only the k heap entries are copied (the rest of the queue never is).
    int len = partial ? k : n;
    if (vals == null || vals.length < len) {
      vals = new double[len];
      idx = new int[len];
    }
    System.arraycopy(values, 0, vals, 0, len);
    for (int i = 0; i < len; i++) {
      idx[i] = i;
    }
    if (partial) {
      makeHeap(0, k);
      for (int i = k; i < n; i++) {
        // heapSelect's step at i; the popped top would land in entry i, which nothing reads again.
        if (less(values[i], vals[0])) {
          adjustHeap(0, 0, k, values[i], i);
        }
      }
      sortHeap(0, k);
    } else {
      nthElement(0, k - 1, n);
      sort(0, k - 1);
    }
    int[] out = new int[k];
    System.arraycopy(idx, 0, out, 0, k);
    return out;
  }

  private static boolean less(double a, double b) {
    return (!Double.isNaN(a) && Double.isNaN(b)) || a < b;
  }

  private boolean lessAt(int i, int j) {
    return less(vals[i], vals[j]);
  }

  private void swap(int i, int j) {
    double v = vals[i];
    vals[i] = vals[j];
    vals[j] = v;
    int t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }

  private void move(int to, int from) {
    vals[to] = vals[from];
    idx[to] = idx[from];
  }

  private static int lg(int n) {
    return 31 - Integer.numberOfLeadingZeros(n);
  }

  private void nthElement(int first, int nth, int last) {
    if (first == last || nth == last) {
      return;
    }
    int depth = lg(last - first) * 2;
    while (last - first > 3) {
      if (depth == 0) {
        heapSelect(first, nth + 1, last);
        swap(first, nth);
        return;
      }
      --depth;
      int cut = partitionPivot(first, last);
      if (cut <= nth) {
        first = cut;
      } else {
        last = cut;
      }
    }
    insertionSort(first, last);
  }

  private int partitionPivot(int first, int last) {
    int mid = first + (last - first) / 2;
    moveMedianToFirst(first, first + 1, mid, last - 1);
    return unguardedPartition(first + 1, last, first);
  }

  private void moveMedianToFirst(int result, int a, int b, int c) {
    if (lessAt(a, b)) {
      if (lessAt(b, c)) {
        swap(result, b);
      } else if (lessAt(a, c)) {
        swap(result, c);
      } else {
        swap(result, a);
      }
    } else if (lessAt(a, c)) {
      swap(result, a);
    } else if (lessAt(b, c)) {
      swap(result, c);
    } else {
      swap(result, b);
    }
  }

  private int unguardedPartition(int first, int last, int pivot) {
    while (true) {
      while (lessAt(first, pivot)) {
        ++first;
      }
      --last;
      while (lessAt(pivot, last)) {
        --last;
      }
      if (!(first < last)) {
        return first;
      }
      swap(first, last);
      ++first;
    }
  }

  private void insertionSort(int first, int last) {
    if (first == last) {
      return;
    }
    for (int i = first + 1; i < last; i++) {
      if (lessAt(i, first)) {
        double v = vals[i];
        int id = idx[i];
        System.arraycopy(vals, first, vals, first + 1, i - first);
        System.arraycopy(idx, first, idx, first + 1, i - first);
        vals[first] = v;
        idx[first] = id;
      } else {
        unguardedLinearInsert(i);
      }
    }
  }

  private void unguardedLinearInsert(int last) {
    double v = vals[last];
    int id = idx[last];
    int next = last - 1;
    while (less(v, vals[next])) {
      move(last, next);
      last = next;
      --next;
    }
    vals[last] = v;
    idx[last] = id;
  }

  private void heapSelect(int first, int middle, int last) {
    makeHeap(first, middle);
    for (int i = middle; i < last; i++) {
      if (lessAt(i, first)) {
        popHeap(first, middle, i);
      }
    }
  }

  private void makeHeap(int first, int last) {
    int len = last - first;
    if (len < 2) {
      return;
    }
    int parent = (len - 2) / 2;
    while (true) {
      adjustHeap(first, parent, len, vals[first + parent], idx[first + parent]);
      if (parent == 0) {
        return;
      }
      parent--;
    }
  }

  private void popHeap(int first, int last, int result) {
    double v = vals[result];
    int id = idx[result];
    move(result, first);
    adjustHeap(first, 0, last - first, v, id);
  }

  private void adjustHeap(int first, int hole, int len, double v, int id) {
    int top = hole;
    int second = hole;
    while (second < (len - 1) / 2) {
      second = 2 * (second + 1);
      if (lessAt(first + second, first + second - 1)) {
        second--;
      }
      move(first + hole, first + second);
      hole = second;
    }
    if ((len & 1) == 0 && second == (len - 2) / 2) {
      second = 2 * (second + 1);
      move(first + hole, first + second - 1);
      hole = second - 1;
    }
    int parent = (hole - 1) / 2;
    while (hole > top && less(vals[first + parent], v)) {
      move(first + hole, first + parent);
      hole = parent;
      parent = (hole - 1) / 2;
    }
    vals[first + hole] = v;
    idx[first + hole] = id;
  }

  private void sortHeap(int first, int last) {
    while (last - first > 1) {
      --last;
      popHeap(first, last, last);
    }
  }

  private void partialSort(int first, int middle, int last) {
    heapSelect(first, middle, last);
    sortHeap(first, middle);
  }

  private void sort(int first, int last) {
    if (first == last) {
      return;
    }
    introsortLoop(first, last, lg(last - first) * 2);
    if (last - first > SORT_THRESHOLD) {
      insertionSort(first, first + SORT_THRESHOLD);
      for (int i = first + SORT_THRESHOLD; i < last; i++) {
        unguardedLinearInsert(i);
      }
    } else {
      insertionSort(first, last);
    }
  }

  private void introsortLoop(int first, int last, int depth) {
    while (last - first > SORT_THRESHOLD) {
      if (depth == 0) {
        partialSort(first, last, last);
        return;
      }
      --depth;
      int cut = partitionPivot(first, last);
      introsortLoop(cut, last, depth);
      last = cut;
    }
  }
}
