package io.detkit.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Collects the gradient of the total loss with respect to every head output, level by level, as
 * NCHW arrays of the outputs' dtype; {@link #toOutputs()} is what {@link HeadLoss#grads()} returns.
 * Every loss of the built-in heads touches each (output, level) once, so the first contribution is
 * kept as it comes (no zero-filled buffer, no accumulation pass, no final copy); a later one is
 * added to it in the outputs' dtype. Outputs no loss touched come back as zeros.
 *
 * <p>A loss term hands its gradient back in one of three forms: NCHW ({@link #add}), per-row
 * ({@link #addRows}, the {@link Layout#toRows} layout the losses see), or a few rows only
 * ({@link #addAtRows}, e.g. the positives). Not thread-safe: one accumulator per loss call, used by
 * the thread that computes the loss.
 *
 * <p>An accumulator made with a {@link HeadStep} takes every gradient array it creates from the
 * step (reused from call to call) instead of making a new one; a term that writes a whole gradient
 * itself asks for its array with {@link #fresh}.
 *
 * <p>Ownership: every array {@link #toOutputs()} gives is either new (the {@link HeadLoss} built
 * from it owns it and {@link HeadLoss#close()} releases it) or a step's (marked not closeable, so a
 * close leaves it to the step). An array handed to {@link #add} is handed over; one that shares its
 * memory with an output of the call (the caller's input) is copied first, so that closing the loss
 * can never release the caller's inputs.
 */
public final class GradAccumulator {
  private final Map<String, INDArray[]> grads = new LinkedHashMap<>();
  private final Map<String, List<long[]>> shapes = new LinkedHashMap<>();
  private final HeadOutputs outputs;
  private final DataType dtype;
  private final HeadStep step;

  /**
   * An accumulator for the outputs' names and shapes, with new arrays for its gradients.
   *
   * @param dtype the dtype every gradient comes back in (the outputs')
   */
  public GradAccumulator(HeadOutputs outputs, DataType dtype) {
    this(outputs, dtype, null);
  }

  /**
   * An accumulator whose gradient arrays come from {@code step} (null: new arrays); they are valid
   * until the step's next call ({@link HeadStep}'s contract).
   */
  public GradAccumulator(HeadOutputs outputs, DataType dtype, HeadStep step) {
    this.dtype = dtype;
    this.step = step;
    this.outputs = outputs;
    for (String name : outputs.names()) {
      List<long[]> s = new ArrayList<>();
      for (INDArray a : outputs.get(name)) {
        s.add(a.shape());
      }
      shapes.put(name, s);
      grads.put(name, new INDArray[s.size()]);
    }
  }

  /**
   * The accumulator of the running loss call: its arrays come from the {@link HeadStep} the caller
   * passed to {@code loss(..., step)} (reused from call to call), or are new when it passed none. A
   * head that overrides {@link AnchorHead#lossFromTargets} builds its accumulator with this, so that
   * a trainer's step reuses its gradients too. Caller's thread, inside the loss call.
   */
  public static GradAccumulator forCall(HeadOutputs outputs, DataType dtype) {
    return new GradAccumulator(outputs, dtype, HeadStep.active());
  }

  /**
   * Divides the gradient collected so far for output {@code name} at {@code level} by
   * {@code divisor}, in place, in the outputs' dtype: for a term whose normaliser is known only
   * after every level ran (TOOD's classification loss). Nothing collected there: nothing to do.
   */
  public void divide(String name, int level, double divisor) {
    shape(name, level);
    INDArray g = grads.get(name)[level];
    if (g != null) {
      g.divi(divisor);
    }
  }

  /** The dtype every gradient comes back in. */
  public DataType dataType() {
    return dtype;
  }

  /**
   * The NCHW shape of output {@code name} at {@code level}.
   *
   * @throws IllegalArgumentException if there is no such output
   */
  public long[] shape(String name, int level) {
    List<long[]> s = shapes.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no head output named '" + name + "'; present: " + shapes.keySet());
    }
    return s.get(level).clone();
  }

  /**
   * Adds {@code rows} ({@code [n*h*w*a, k]}, any dtype and order) into output {@code name} at
   * {@code level}, permuting them back to NCHW in one native copy.
   */
  public void addRows(String name, int level, INDArray rows, int k) {
    long[] s = shape(name, level);
    INDArray into = rows.dataType() == dtype ? fresh(name, level) : null;
    add(name, level, into != null ? Layout.fromRows(rows, into)
        : Layout.fromRows(rows, (int) s[0], (int) (s[1] / k), k, (int) s[2], (int) s[3]));
  }

  /**
   * For a term that writes the whole gradient of output {@code name} at {@code level} itself: a dense
   * C-order array of the output's shape and dtype (from the step, or new; contents undefined) to
   * fill and then hand to {@link #add}, or null when a gradient was already added there (then build
   * one and {@link #add} it).
   */
  public INDArray fresh(String name, int level) {
    long[] s = shape(name, level);
    if (grads.get(name)[level] != null) {
      return null;
    }
    return step != null ? step.buffer(name, level, s, dtype) : Nd4j.createUninitialized(dtype, s, 'c');
  }

  /**
   * Adds {@code nchw} (the output's shape) into output {@code name} at {@code level}; the array is
   * kept, not copied, when it is the first contribution and already has the outputs' dtype, so
   * the caller must not change it afterwards (nor close it: the loss owns it). An array sharing its
   * memory with one of the call's outputs is copied.
   *
   * @throws IllegalArgumentException if the shape is not the output's
   */
  public void add(String name, int level, INDArray nchw) {
    long[] s = shape(name, level);
    if (!Arrays.equals(nchw.shape(), s)) {
      throw new IllegalArgumentException("gradient of " + name + "[" + level + "] must be " + Arrays.toString(s)
          + "; got " + Arrays.toString(nchw.shape()));
    }
    INDArray g = nchw.dataType() != dtype ? nchw.castTo(dtype) : isOutput(nchw) ? nchw.dup('c') : nchw;
    INDArray[] levels = grads.get(name);
    levels[level] = levels[level] == null ? g : levels[level].add(g);
  }

  /**
   * Adds {@code values} ({@code k} per row) at the rows {@code rows} of output {@code name} at
   * {@code level}, rows in the {@link Layout#toRows} order ({@code [N*H*W*A, k]}); every other
   * element gets 0. The cheap way back for a loss over the positives only.
   *
   * @param a anchors (priors) per location of the level
   * @throws IllegalArgumentException if {@code values} does not hold {@code k} values per row
   */
  public void addAtRows(String name, int level, int[] rows, double[] values, int a, int k) {
    if (values.length != (long) rows.length * k) {
      throw new IllegalArgumentException("gradient of " + name + "[" + level + "] needs " + k + " values per row ("
          + rows.length + " rows); got " + values.length);
    }
    long[] s = shape(name, level);
    int hw = (int) (s[2] * s[3]);
    INDArray nchw = zeros(name, level);
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < k; c++) {
        // 0.0 + g: a -0.0 gradient comes back as 0.0, as it would when summed into zeros.
        nchw.putScalar(Layout.nchwIndex(rows[r], c, a, k, hw), 0.0 + values[r * k + c]);
      }
    }
    add(name, level, nchw);
  }

  /** Whether {@code a} shares its buffer with one of the call's outputs (the caller's inputs). */
  private boolean isOutput(INDArray a) {
    DataBuffer buffer = root(a);
    for (String name : outputs.names()) {
      for (INDArray o : outputs.get(name)) {
        if (o == a || buffer != null && root(o) == buffer) {
          return true;
        }
      }
    }
    return false;
  }

  /** The buffer that owns {@code a}'s memory (a view's buffer wraps its original's); null for none. */
  private static DataBuffer root(INDArray a) {
    DataBuffer d = a.isEmpty() ? null : a.data();
    if (d == null) {
      return null;
    }
    DataBuffer u = d.underlyingDataBuffer();
    return u != null ? u : d;
  }

  /** A zero gradient of output {@code name} at {@code level}: the step's array zeroed, or a new one. */
  private INDArray zeros(String name, int level) {
    INDArray b = fresh(name, level);
    return b == null || step == null ? Nd4j.zeros(dtype, shape(name, level)) : zeroFill(b);
  }

  /**
   * {@code b} (a step's dense C-order FLOAT or DOUBLE array) set to zeros from Java, through its NIO
   * view: a native {@code assign} would wake ND4J's OpenMP threads, which then spin on the cores the
   * step's own threads need (a few small arrays a step, and the tail of the step's time with them).
   */
  private static INDArray zeroFill(INDArray b) {
    if (b.dataType() != DataType.FLOAT && b.dataType() != DataType.DOUBLE || b.offset() != 0
        || b.data().length() != b.length()) {
      return b.assign(0);
    }
    try {
      java.nio.Buffer v = b.dataType() == DataType.FLOAT ? b.data().asNioFloat() : b.data().asNioDouble();
      int n = (int) b.length();
      int chunk = Math.min(n, 4096);
      if (v instanceof java.nio.FloatBuffer f) {
        float[] zero = new float[chunk];
        for (int i = 0; i < n; i += chunk) {
          f.put(i, zero, 0, Math.min(chunk, n - i));
        }
      } else {
        double[] zero = new double[chunk];
        java.nio.DoubleBuffer d = (java.nio.DoubleBuffer) v;
        for (int i = 0; i < n; i += chunk) {
          d.put(i, zero, 0, Math.min(chunk, n - i));
        }
      }
    } finally {
      java.lang.ref.Reference.reachabilityFence(b);
    }
    return b;
  }

  /** The gradients as head outputs (zeros where nothing was added). */
  public HeadOutputs toOutputs() {
    HeadOutputs out = HeadOutputs.empty();
    for (Map.Entry<String, INDArray[]> e : grads.entrySet()) {
      List<INDArray> levels = new ArrayList<>();
      List<long[]> s = shapes.get(e.getKey());
      INDArray[] g = e.getValue();
      for (int l = 0; l < g.length; l++) {
        levels.add(g[l] != null ? g[l] : zeros(e.getKey(), l));
      }
      out = out.with(e.getKey(), levels);
    }
    return out;
  }
}
