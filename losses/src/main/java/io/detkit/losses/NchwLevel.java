package io.detkit.losses;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One dense-head level's scores {@code [N, A*C, H, W]} and their gradient, read and written as the
 * rows {@code [N*H*W*A, C]} a loss works on (row {@code ((img*H + y)*W + x)*A + anchor}) without a
 * permuted copy: a block of rows is gathered from the scores' NIO view into a {@link Scratch}, and
 * the scratch's gradient rows are scattered back into the gradient's NIO view.
 *
 * <p>Apart from {@link FusedFocal} because it is a different job: this knows the memory layout and
 * owns the scratch pool, {@code FusedFocal} knows the loss and its blocks; neither needs the other's
 * details, and a second in-place loss could read a level through it. It does not refer to
 * {@code FusedFocal}.
 *
 * <p>The caller keeps the arrays the views came from reachable
 * ({@link java.lang.ref.Reference#reachabilityFence}) while it uses them. Blocks of disjoint rows
 * may be gathered and scattered by different threads at once: each (image, channel) plane is
 * touched in one contiguous run of the locations whose row lies in the block, so blocks never write
 * each other's elements.
 *
 * @param x the scores' NIO view, a {@link FloatBuffer} or a {@link DoubleBuffer}
 * @param g the gradient's NIO view, of the same type
 * @param a anchors per location {@code A}
 * @param c classes {@code C}
 * @param hw locations per image {@code H*W}
 */
record NchwLevel(Buffer x, Buffer g, int a, int c, int hw) {
  /*
   * Idle scratches, at most one per thread that ran blocks at once. Not a ThreadLocal: JDK 17's
   * common pool clears its workers' thread-locals after every task they run, which made each block
   * a worker ran allocate (and page in) a fresh scratch. Any scratch serves any block: a block
   * overwrites what it reads, so results do not depend on which one it gets.
   */
  private static final ConcurrentLinkedDeque<Scratch> FREE = new ConcurrentLinkedDeque<>();

  /**
   * The views of dense C-order FLOAT or DOUBLE arrays {@code logits} and {@code grad}, both
   * {@code [N, A*C, H, W]}, with {@code hw = H*W} (the caller has checked the shapes).
   */
  NchwLevel(INDArray logits, INDArray grad, int a, int c, int hw) {
    this(view(logits), view(grad), a, c, hw);
  }

  private static Buffer view(INDArray x) {
    return x.dataType() == DataType.FLOAT ? x.data().asNioFloat() : x.data().asNioDouble();
  }

  /** Whether the scores are float32. */
  boolean single() {
    return x instanceof FloatBuffer;
  }

  /**
   * An idle scratch from the pool (or a new one) fitted to blocks of up to {@code rows} rows of
   * this level; hand it back with {@link #release} when the block is done.
   */
  Scratch acquire(int rows) {
    Scratch s = FREE.pollFirst();
    // A block's rows of one (image, anchor) plane are every a-th row: at most rows / a + 2 locations.
    return (s != null ? s : new Scratch()).fit(single(), rows, c, rows / a + 2);
  }

  /** Returns {@code s} to the pool; the caller no longer uses it. */
  static void release(Scratch s) {
    FREE.offerFirst(s);
  }

  /** Copies the scores of rows {@code [r0, r1)} into {@code s.x}, row {@code r0} first. */
  void gather(Scratch s, int r0, int r1) {
    copyBlock(s, r0, r1, true);
  }

  /** Copies {@code s.g} (row {@code r0} first) into the gradient of rows {@code [r0, r1)}. */
  void scatter(Scratch s, int r0, int r1) {
    copyBlock(s, r0, r1, false);
  }

  /**
   * A block's rows gathered from a level, {@code C} values a row, in the scores' precision; taken
   * from the pool by the thread that runs the block.
   */
  static final class Scratch {
    /** The block's scores, then read by the loss: {@code float[]} or {@code double[]}. */
    Object x;
    /** The block's gradient, written by the loss: the type of {@link #x}. */
    Object g;
    /** The loss's per-row inputs for the block, filled by the caller. */
    long[] labels = new long[0];
    double[] rowWeight = new double[0];
    /** {@link VectorFocal}'s work arrays (typed Object: this class must load without the Vector API). */
    Object vectorWork;

    private Object span;
    private boolean single;
    private int rowsLen = -1;
    private int spanLen = -1;

    /** This scratch, its arrays (re)made when the dtype changes or they are too short. */
    private Scratch fit(boolean single, int rows, int c, int spanLen) {
      if (labels.length < rows) {
        labels = new long[rows];
        rowWeight = new double[rows];
      }
      if (this.single != single || rowsLen < rows * c || this.spanLen < spanLen) {
        this.single = single;
        rowsLen = rows * c;
        this.spanLen = spanLen;
        x = single ? new float[rowsLen] : new double[rowsLen];
        g = single ? new float[rowsLen] : new double[rowsLen];
        span = single ? new float[spanLen] : new double[spanLen];
      }
      return this;
    }
  }

  /**
   * Gathers rows {@code [r0, r1)} of the level into {@code s.x} ({@code gather}), or scatters
   * {@code s.g} back into the gradient, one contiguous run of each plane at a time.
   */
  private void copyBlock(Scratch s, int r0, int r1, boolean gather) {
    if (hw == 1) {
      // One location per image: row r's C values are elements [r*C, (r+1)*C), one contiguous run.
      if (gather) {
        readPlane(x, r0 * c, s.x, (r1 - r0) * c);
      } else {
        writePlane(g, r0 * c, s.g, (r1 - r0) * c);
      }
      return;
    }
    forEachRun(r0, r1, (start, row0, len) -> {
      for (int j = 0; j < c; j++) {
        int plane = start + j * hw;
        if (gather) {
          readPlane(x, plane, s.span, len);
          spread(s.span, s.x, row0 * c + j, a * c, len);
        } else {
          collect(s.g, row0 * c + j, a * c, s.span, len);
          writePlane(g, plane, s.span, len);
        }
      }
    });
  }

  /**
   * One contiguous run of locations shared by the {@code C} class planes of one (image, anchor):
   * class {@code j}'s values are the {@code len} elements from index {@code start + j * H*W} of the
   * views; the run's first location is the block's row {@code row0} (counted from the block's first
   * row) and each next location is {@code A} rows further.
   */
  @FunctionalInterface
  interface Run {
    void accept(int start, int row0, int len);
  }

  /** Calls {@code run} for each run of rows {@code [r0, r1)}, image by image and anchor by anchor. */
  void forEachRun(int r0, int r1, Run run) {
    int perImage = hw * a;
    for (int img = r0 / perImage; img <= (r1 - 1) / perImage; img++) {
      int base = img * perImage;
      for (int anchor = 0; anchor < a; anchor++) {
        int pLo = Math.max(0, Math.floorDiv(r0 - base - anchor + a - 1, a));
        int pHi = Math.min(hw - 1, Math.floorDiv(r1 - 1 - base - anchor, a));
        if (pHi >= pLo) {
          run.accept((img * a + anchor) * c * hw + pLo, base + pLo * a + anchor - r0, pHi - pLo + 1);
        }
      }
    }
  }

  private static void readPlane(Buffer from, int index, Object to, int len) {
    if (from instanceof FloatBuffer f) {
      f.get(index, (float[]) to, 0, len);
    } else {
      ((DoubleBuffer) from).get(index, (double[]) to, 0, len);
    }
  }

  private static void writePlane(Buffer to, int index, Object from, int len) {
    if (to instanceof FloatBuffer f) {
      f.put(index, (float[]) from, 0, len);
    } else {
      ((DoubleBuffer) to).put(index, (double[]) from, 0, len);
    }
  }

  /** {@code rows[start + k * stride] = span[k]}. */
  private static void spread(Object span, Object rows, int start, int stride, int len) {
    if (span instanceof float[] f) {
      float[] out = (float[]) rows;
      for (int k = 0; k < len; k++) {
        out[start + k * stride] = f[k];
      }
    } else {
      double[] d = (double[]) span;
      double[] out = (double[]) rows;
      for (int k = 0; k < len; k++) {
        out[start + k * stride] = d[k];
      }
    }
  }

  /** {@code span[k] = rows[start + k * stride]}. */
  private static void collect(Object rows, int start, int stride, Object span, int len) {
    if (span instanceof float[] f) {
      float[] in = (float[]) rows;
      for (int k = 0; k < len; k++) {
        f[k] = in[start + k * stride];
      }
    } else {
      double[] d = (double[]) span;
      double[] in = (double[]) rows;
      for (int k = 0; k < len; k++) {
        d[k] = in[start + k * stride];
      }
    }
  }
}
