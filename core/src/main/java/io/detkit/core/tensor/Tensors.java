package io.detkit.core.tensor;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves data between ND4J arrays (the API boundary) and primitive arrays (where detkit's loops
 * run), and validates arguments with messages that name the argument, the expectation and what
 * came: {@code gt_bboxes must be [K,4]; got [3,5]}.
 *
 * <p>Every factory takes the {@link DataType} explicitly; nothing here depends on ND4J's default
 * dtype.
 */
public final class Tensors {
  private Tensors() {}

  /** The shape as {@code [3,5]}. */
  public static String shapeOf(INDArray a) {
    return a == null ? "null" : Arrays.toString(a.shape()).replace(" ", "");
  }

  /**
   * The elements in C order as doubles (a copy; empty arrays give an empty array). Dense arrays are
   * read straight from their buffer, a few microseconds instead of a reshape and a vector copy.
   */
  public static double[] toDoubles(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new double[0];
    }
    INDArray d = dense(a);
    if (d.dataType() == DataType.DOUBLE) {
      return d.data().asDouble();
    }
    if (d.dataType() == DataType.FLOAT) {
      float[] f = d.data().asFloat();
      double[] out = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        out[i] = f[i];
      }
      return out;
    }
    return d.castTo(DataType.DOUBLE).data().asDouble();
  }

  /** The elements in C order as floats (a copy). */
  public static float[] toFloats(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new float[0];
    }
    INDArray d = dense(a);
    return (d.dataType() == DataType.FLOAT ? d : d.castTo(DataType.FLOAT)).data().asFloat();
  }

  /**
   * The elements in C order as ints (for labels and indices; floats are truncated).
   *
   * @throws ArithmeticException if an INT64 value does not fit an int
   */
  public static int[] toInts(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new int[0];
    }
    INDArray d = dense(a);
    if (d.dataType() == DataType.INT32) {
      return d.data().asInt();
    }
    if (d.dataType() == DataType.INT64) {
      long[] l = d.data().asLong();
      int[] out = new int[l.length];
      for (int i = 0; i < l.length; i++) {
        out[i] = Math.toIntExact(l[i]);
      }
      return out;
    }
    return d.castTo(DataType.INT32).data().asInt();
  }

  /** {@code a} if its buffer holds exactly its elements in C order, else a C-order copy. */
  private static INDArray dense(INDArray a) {
    return a.offset() == 0 && a.data().length() == a.length() && cStrides(a) ? a : a.dup('c');
  }

  // Strides of size-1 dimensions do not matter (ND4J often stores 1 there).
  private static boolean cStrides(INDArray a) {
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  /**
   * A {@code type} array of {@code shape} holding {@code data} in C order; works for empty shapes.
   * FLOAT and DOUBLE arrays are filled with one bulk copy (narrowing to float32 in Java rounds to
   * nearest, as ND4J's cast does): building a DOUBLE buffer element by element and casting it cost
   * about 3x as much for the large gradients the losses return.
   */
  public static INDArray create(double[] data, DataType type, long... shape) {
    checkLength(data.length, shape);
    if (data.length == 0) {
      return Nd4j.create(type, shape);
    }
    if (shape.length > 0 && type == DataType.DOUBLE) {
      INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, shape, 'c');
      out.data().asNioDouble().put(data);
      return out;
    }
    if (shape.length > 0 && type == DataType.FLOAT) {
      float[] f = new float[data.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) data[i];
      }
      return create(f, type, shape);
    }
    INDArray a = Nd4j.createFromArray(data);
    if (type != DataType.DOUBLE) {
      a = a.castTo(type);
    }
    return shape.length == 0 ? a.reshape() : a.reshape('c', shape);
  }

  /** A {@code type} array of {@code shape} holding {@code data} in C order (FLOAT: one bulk copy). */
  public static INDArray create(float[] data, DataType type, long... shape) {
    checkLength(data.length, shape);
    if (data.length == 0) {
      return Nd4j.create(type, shape);
    }
    if (shape.length > 0 && type == DataType.FLOAT) {
      INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
      out.data().asNioFloat().put(data);
      return out;
    }
    INDArray a = Nd4j.createFromArray(data);
    if (type != DataType.FLOAT) {
      a = a.castTo(type);
    }
    return shape.length == 0 ? a.reshape() : a.reshape('c', shape);
  }

  /** An INT64 array of {@code shape} holding {@code data}. */
  public static INDArray createLong(long[] data, long... shape) {
    checkLength(data.length, shape);
    if (data.length == 0) {
      return Nd4j.create(DataType.INT64, shape);
    }
    INDArray a = Nd4j.createFromArray(data);
    return shape.length == 0 ? a.reshape() : a.reshape('c', shape);
  }

  /** An INT64 array of {@code shape} holding {@code data}. */
  public static INDArray createLong(int[] data, long... shape) {
    long[] l = new long[data.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = data[i];
    }
    return createLong(l, shape);
  }

  private static void checkLength(int n, long[] shape) {
    long expected = 1;
    for (long d : shape) {
      expected *= d;
    }
    if (expected != n) {
      throw new IllegalArgumentException(
          "data of length " + n + " does not fill shape " + Arrays.toString(shape));
    }
  }

  /** Whether {@code type} is a floating-point type detkit computes in (FLOAT, DOUBLE, HALF, BFLOAT16). */
  public static boolean isFloating(DataType type) {
    return type.isFPType();
  }

  /** @throws IllegalArgumentException naming {@code name} if {@code a} is null */
  public static INDArray requireNonNull(INDArray a, String name) {
    if (a == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return a;
  }

  /**
   * Requires a floating-point {@code [N,4]} box array.
   *
   * @throws IllegalArgumentException {@code gt_bboxes must be [K,4]; got [3,5]}
   */
  public static INDArray requireBoxes(INDArray boxes, String name) {
    requireNonNull(boxes, name);
    if (boxes.rank() != 2 || boxes.size(1) != 4) {
      throw new IllegalArgumentException(name + " must be [N,4] (x1, y1, x2, y2); got " + shapeOf(boxes));
    }
    requireFloating(boxes, name);
    return boxes;
  }

  /** @throws IllegalArgumentException if {@code a} is not a floating-point array */
  public static INDArray requireFloating(INDArray a, String name) {
    requireNonNull(a, name);
    if (!a.dataType().isFPType()) {
      throw new IllegalArgumentException(name + " must be a floating-point array; got " + a.dataType());
    }
    return a;
  }

  /** @throws IllegalArgumentException if {@code a}'s shape differs from {@code shape} */
  public static INDArray requireShape(INDArray a, String name, long... shape) {
    requireNonNull(a, name);
    if (!Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException(name + " must be " + Arrays.toString(shape).replace(" ", "")
          + "; got " + shapeOf(a));
    }
    return a;
  }

  /** @throws IllegalArgumentException if {@code a} has rank other than {@code rank} */
  public static INDArray requireRank(INDArray a, String name, int rank) {
    requireNonNull(a, name);
    if (a.rank() != rank) {
      throw new IllegalArgumentException(name + " must have rank " + rank + "; got " + shapeOf(a));
    }
    return a;
  }

  /**
   * Requires every element to be finite.
   *
   * @throws IllegalArgumentException naming {@code name} and the first bad flat index and value
   */
  public static void requireFinite(double[] data, String name) {
    for (int i = 0; i < data.length; i++) {
      if (!Double.isFinite(data[i])) {
        throw new IllegalArgumentException(
            name + " must be finite; element " + i + " is " + data[i]);
      }
    }
  }

  /** Float variant of {@link #requireFinite(double[], String)}. */
  public static void requireFinite(float[] data, String name) {
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new IllegalArgumentException(
            name + " must be finite; element " + i + " is " + data[i]);
      }
    }
  }

  /** Requires every element of an ND4J array to be finite (see {@link #requireFinite(double[], String)}). */
  public static void requireFinite(INDArray a, String name) {
    Objects.requireNonNull(a, name);
    requireFinite(toDoubles(a), name);
  }

  /** {@code [N,4]} rows with x2 &lt; x1 or y2 &lt; y1 are rejected, naming the row. */
  public static void requireOrderedBoxes(double[] xyxy, String name) {
    for (int i = 0; i + 3 < xyxy.length; i += 4) {
      if (xyxy[i + 2] < xyxy[i] || xyxy[i + 3] < xyxy[i + 1]) {
        throw new IllegalArgumentException(name + " row " + (i / 4) + " must have x1 <= x2 and y1 <= y2; got ["
            + xyxy[i] + ", " + xyxy[i + 1] + ", " + xyxy[i + 2] + ", " + xyxy[i + 3] + "]");
      }
    }
  }
}
