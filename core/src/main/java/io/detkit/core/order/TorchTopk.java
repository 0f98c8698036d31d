package io.detkit.core.order;

import io.detkit.core.tensor.Tensors;

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
 * <p>The heap path is also open value by value ({@link #beginHeap}, {@link #offer},
 * {@link #finishHeap}), so a caller that can bound values from below may skip those the heap would
 * reject without computing them (ATSS skips priors far from a gt).
 *
 * <p>Not thread-safe: one instance per thread (it reuses its buffers from call to call).
 */
public final class TorchTopk {
  private static final int SORT_THRESHOLD = 16;

  /**
   * The values being selected; while no heap is in progress {@code vals[0]} is NaN, which every
   * number is less than in torch's order, so an {@link #offer} of a number then takes the accepting
   * branch, where the state is checked, and the rejecting branch (the common one) checks nothing.
   */
  private double[] vals = {Double.NaN};
  private int[] idx = {0};
  /** The heap path's protocol state: its k, the last position that entered, and the checks. */
  private final HeapProgress heap = new HeapProgress();

  /**
   * Positions of the {@code k} smallest of {@code values[0..n)}, in the order torch returns them.
   * Reuses this instance's buffers, so a heap selection in progress ({@link #beginHeap}) is
   * abandoned.
   *
   * @throws IllegalArgumentException if {@code values} is null, {@code n} is not in
   *     {@code [0, values.length]} or {@code k} not in {@code [0, n]}
   */
  public int[] smallest(double[] values, int n, int k) {
    Tensors.requireNonNull(values, "values");
    if (n < 0 || n > values.length) {
      throw new IllegalArgumentException("n must be in [0, " + values.length + "]; got " + n);
    }
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("k must be in [0, " + n + "]; got " + k);
    }
    if (k == 0) {
      endHeap();
      return new int[0];
    }
    if (usesHeap(n, k)) {
      beginHeap(values, k);
      for (int i = k; i < n; i++) {
        offer(i, values[i]);
      }
      return finishHeap();
    }
    load(values, n);
    nthElement(0, k - 1, n);
    sort(0, k - 1);
    int[] out = result(k);
    endHeap();
    return out;
  }

  /**
   * Whether torch selects the {@code k} smallest of {@code n} with {@code std::partial_sort} (the
   * heap path, {@code 64*k <= n}), which {@link #beginHeap}, {@link #offer} and {@link #finishHeap}
   * replay value by value; otherwise {@link #smallest} needs all {@code n} values at once.
   */
  public static boolean usesHeap(int n, int k) {
    // k = 0 selects nothing (an empty level): no path at all, so {@link #smallest}, which returns
    // the empty selection, not {@link #beginHeap}, which needs a first value.
    return k >= 1 && (long) k * 64 <= n;
  }

  /**
   * Starts the heap path (see {@link #usesHeap}) of a selection of {@code k >= 1} values whose
   * first {@code k} (positions {@code 0..k-1}) are {@code first[0..k)}; the values at positions
   * {@code k, k+1, ...} then go to {@link #offer} in increasing position order, and
   * {@link #finishHeap} gives the result {@link #smallest} gives for the same values. Reuses this
   * instance's buffers, so one selection at a time per instance; a selection still in progress is
   * abandoned.
   *
   * @throws IllegalArgumentException if {@code first} is null or {@code k} is not in
   *     {@code [1, first.length]}
   */
  public void beginHeap(double[] first, int k) {
    Tensors.requireNonNull(first, "first");
    if (k < 1 || k > first.length) {
      throw new IllegalArgumentException("k must be in [1, " + first.length + "]; got " + k);
    }
    load(first, k);
    heap.begin(k);
    makeHeap(0, k);
  }

  /**
   * Whether {@link #offer} would leave the heap unchanged for {@code value}. The heap top only
   * decreases, so a caller holding a lower bound {@code lb} of some values (every one of them not
   * less than {@code lb} by torch's order) for which this returns true may skip offering them all:
   * the selection is the same as if each had been offered.
   *
   * @throws IllegalStateException if no heap is in progress ({@link #beginHeap} not called, or the
   *     selection already finished)
   */
  public boolean rejects(double value) {
    heap.require("rejects");
    return !less(value, vals[0]);
  }

  /**
   * libstdc++'s {@code __heap_select} step for the value at {@code position} (the next position
   * after the previous one offered or skipped): it replaces the heap top when it is smaller. The
   * popped top would land in that queue entry, which nothing reads again.
   *
   * <p>Checked where a value enters the heap, off the common path of a rejected value: a value
   * that enters must come at a position after the heap's first {@code k} and after the last value
   * that entered, and a number offered with no heap in progress is refused. (A rejected value
   * changes nothing, so its position is not checked; a NaN, which never enters, is not refused.)
   *
   * @throws IllegalArgumentException if an entering value's position is not past {@code k - 1} and
   *     past the last position that entered
   * @throws IllegalStateException if no heap is in progress
   */
  public void offer(int position, double value) {
    if (less(value, vals[0])) {
      heap.enter(position);
      adjustHeap(0, 0, heap.size(), value, position);
    }
  }

  /**
   * Ends the heap path: the positions of the {@code k} smallest, in the order torch returns them.
   *
   * @throws IllegalStateException if no heap is in progress
   */
  public int[] finishHeap() {
    heap.require("finishHeap");
    sortHeap(0, heap.size());
    int[] out = result(heap.size());
    endHeap();
    return out;
  }

  /** No heap in progress from here: the state every heap call but {@link #beginHeap} refuses. */
  private void endHeap() {
    heap.end();
    vals[0] = Double.NaN;
  }

  private void load(double[] values, int len) {
    if (vals == null || vals.length < len) {
      vals = new double[len];
      idx = new int[len];
    }
    System.arraycopy(values, 0, vals, 0, len);
    for (int i = 0; i < len; i++) {
      idx[i] = i;
    }
  }

  private int[] result(int k) {
    int[] out = new int[k];
    System.arraycopy(idx, 0, out, 0, k);
    return out;
  }

  /**
   * torch's order: {@code a < b}, or {@code b} NaN and {@code a} not. Written so that the common
   * case (two numbers) costs one comparison: {@code a < b} is false whenever either is NaN, and
   * {@code x != x} is NaN's own test.
   */
  private static boolean less(double a, double b) {
    return a < b || b != b && a == a;
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
