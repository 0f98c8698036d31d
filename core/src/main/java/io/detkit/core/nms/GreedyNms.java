package io.detkit.core.nms;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.order.Argsort;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The greedy suppression of one NMS problem: candidates in the total order (score descending, index
 * ascending), each kept unless a kept box of its group overlaps it by more than the threshold. The
 * arrays are shared read-only, so groups may run concurrently.
 */
final class GreedyNms {
  /**
   * Candidates at or above this count with at least two groups run their groups on the calling
   * thread's fork-join pool (the common pool outside one); below it the fork/join overhead exceeds
   * the work.
   */
  static final int PARALLEL_MIN_CANDIDATES = 4096;

  private final double[] boxes;
  private final double[] scores;
  private final double off;
  private final double thr;
  private final boolean nonNegativeThr;
  private final boolean f32;
  /** Whether some coordinate is so large that an area overflows: pairs are then scaled first. */
  private final boolean huge;

  GreedyNms(double[] boxes, double[] scores, double off, double thr, boolean f32, boolean huge) {
    this.boxes = boxes;
    this.scores = scores;
    this.off = off;
    this.thr = thr;
    this.nonNegativeThr = thr >= 0;
    this.f32 = f32;
    this.huge = huge;
  }

  /**
   * Every group to completion: candidates bucketed by group, each bucket sorted and suppressed on
   * its own, then the kept boxes merged into the total order.
   */
  int[] allGroups(int[] cand, int[] gid, int numGroups, boolean parallel) {
    int m = cand.length;
    int[] start = new int[numGroups + 1];
    for (int i : cand) {
      start[gid[i] + 1]++;
    }
    for (int g = 0; g < numGroups; g++) {
      start[g + 1] += start[g];
    }
    int[] fill = Arrays.copyOf(start, numGroups);
    int[] idx = new int[m];
    for (int i : cand) {
      idx[fill[gid[i]]++] = i;
    }
    // Scratch shared by all groups, each using only its own [start, end) slice.
    int[] tmp = new int[m];
    double[] kb = new double[4 * m];
    double[] ka = new double[m];
    int[] keptCount = new int[numGroups];
    IntConsumer task = g -> keptCount[g] = suppressGroup(idx, tmp, kb, ka, start[g], start[g + 1]);
    if (parallel && numGroups > 1 && m >= PARALLEL_MIN_CANDIDATES) {
      IntStream.range(0, numGroups).parallel().forEach(task);
    } else {
      for (int g = 0; g < numGroups; g++) {
        task.accept(g);
      }
    }
    int total = 0;
    for (int g = 0; g < numGroups; g++) {
      total += keptCount[g];
    }
    int[] out = new int[total];
    for (int g = 0, o = 0; g < numGroups; g++) {
      System.arraycopy(idx, start[g], out, o, keptCount[g]);
      o += keptCount[g];
    }
    Argsort.sortDescending(out, 0, total, scores);
    return out;
  }

  /**
   * Sorts {@code idx[from, to)} and suppresses within it. Kept candidates are compacted to the
   * front of the slice (box in {@code kb}, area in {@code ka}) so the inner loop reads contiguous
   * memory; returns how many were kept.
   */
  private int suppressGroup(int[] idx, int[] tmp, double[] kb, double[] ka, int from, int to) {
    Argsort.sortDescending(idx, tmp, from, to, scores);
    int k = from;
    for (int p = from; p < to; p++) {
      int j = idx[p];
      if (keepIfFree(j, kb, ka, k, from, k, null)) {
        idx[k++] = j;
      }
    }
    return k - from;
  }

  /**
   * The first {@code limit} kept boxes only: candidates are popped from a heap in the total order
   * until that many are kept, so a small {@code max_num} never sorts or visits the rest.
   */
  int[] topK(int[] cand, int[] gid, int numGroups, int limit) {
    int[] heap = cand;
    int size = heap.length;
    for (int h = size / 2 - 1; h >= 0; h--) {
      siftDown(heap, size, h);
    }
    int[] out = new int[limit];
    double[] kb = new double[4 * limit];
    double[] ka = new double[limit];
    // Kept boxes of a group form a list through next[], newest first.
    int[] head = new int[numGroups];
    Arrays.fill(head, -1);
    int[] next = new int[limit];
    int kept = 0;
    while (size > 0 && kept < limit) {
      int j = heap[0];
      heap[0] = heap[--size];
      siftDown(heap, size, 0);
      int g = gid[j];
      if (keepIfFree(j, kb, ka, kept, head[g], -1, next)) {
        next[kept] = head[g];
        head[g] = kept;
        out[kept++] = j;
      }
    }
    return Arrays.copyOf(out, kept);
  }

  /**
   * Keeps candidate {@code j} unless a kept box suppresses it (kept boxes as in {@link #suppressed}):
   * its box goes to {@code kb} and its area to {@code ka} at {@code slot}, and the result is true.
   */
  private boolean keepIfFree(int j, double[] kb, double[] ka, int slot, int u, int end, int[] next) {
    double x1 = boxes[4 * j];
    double y1 = boxes[4 * j + 1];
    double x2 = boxes[4 * j + 2];
    double y2 = boxes[4 * j + 3];
    double area = area(x1, y1, x2, y2);
    if (suppressed(kb, ka, u, end, next, x1, y1, x2, y2, area)) {
      return false;
    }
    kb[4 * slot] = x1;
    kb[4 * slot + 1] = y1;
    kb[4 * slot + 2] = x2;
    kb[4 * slot + 3] = y2;
    ka[slot] = area;
    return true;
  }

  private void siftDown(int[] heap, int size, int h) {
    int v = heap[h];
    while (true) {
      int c = 2 * h + 1;
      if (c >= size) {
        break;
      }
      if (c + 1 < size && before(scores, heap[c + 1], heap[c])) {
        c++;
      }
      if (!before(scores, heap[c], v)) {
        break;
      }
      heap[h] = heap[c];
      h = c;
    }
    heap[h] = v;
  }

  /**
   * Whether a kept box overlaps the candidate by more than the threshold. Kept boxes are either the
   * range {@code [u, end)} ({@code next == null}) or the list from {@code u} through {@code next}.
   * Which kept box is found first does not matter: any one suppresses.
   */
  private boolean suppressed(double[] kb, double[] ka, int u, int end, int[] next, double x1, double y1,
      double x2, double y2, double area) {
    if (huge) {
      return HugeBoxIou.suppressed(kb, u, end, next, x1, y1, x2, y2, off, thr, f32);
    }
    while (next == null ? u < end : u >= 0) {
      // mmcv's IoU of kept box u with the candidate, each step rounded as float32 would round it.
      double w = Math.max(0, round(round(Math.min(kb[4 * u + 2], x2) - Math.max(kb[4 * u], x1), f32) + off, f32));
      // Disjoint boxes: inter is 0, so the IoU is 0, -0 or NaN (0/0), none above a threshold >= 0.
      if (w > 0 || !nonNegativeThr) {
        double h = Math.max(0, round(round(Math.min(kb[4 * u + 3], y2) - Math.max(kb[4 * u + 1], y1), f32) + off, f32));
        double inter = round(w * h, f32);
        if (round(inter / round(round(ka[u] + area, f32) - inter, f32), f32) > thr) {
          return true;
        }
      }
      u = next == null ? u + 1 : next[u];
    }
    return false;
  }

  private double area(double x1, double y1, double x2, double y2) {
    double w = round(round(x2 - x1, f32) + off, f32);
    double h = round(round(y2 - y1, f32) + off, f32);
    return round(w * h, f32);
  }

  /** Higher score first; equal scores ({@code ==}, so -0.0 ties 0.0) by lower index. */
  private static boolean before(double[] scores, int a, int b) {
    double sa = scores[a];
    double sb = scores[b];
    return sa > sb || (sa == sb && a < b);
  }
}
