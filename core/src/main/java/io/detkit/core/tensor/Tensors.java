package io.detkit.core.tensor;

import io.detkit.core.check.Args;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Moves data between ND4J arrays (the API boundary) and primitive arrays (where detkit's loops
 * run), and validates arguments with messages that name the argument, the expectation and what
 * came: {@code gt_bboxes must be [K,4]; got [3,5]}.
 *
 * <p>Every factory takes the {@link DataType} explicitly; nothing here depends on ND4J's default
 * dtype. Conversions read arrays of any rank, order and view offset in C order. Every method
 * throws {@link IllegalArgumentException} (never a {@link NullPointerException}) for a null
 * argument.
 */
public final class Tensors {
  private Tensors() {}

  /** The shape as {@code [3,5]} ({@code []} for a scalar, {@code null} for null), for messages. */
  public static String shapeOf(INDArray a) {
    return a == null ? "null" : Arrays.toString(a.shape()).replace(" ", "");
  }

  /**
   * The elements in C order as doubles (a copy; empty arrays give an empty array). Dense arrays are
   * read straight from their buffer, a few microseconds instead of a reshape and a vector copy.
   * Any dtype is accepted: FLOAT widens exactly, integer and BOOL arrays are cast.
   *
   * @param a any shape and dtype
   * @return {@code a.length()} values
   * @throws IllegalArgumentException if {@code a} is null
   */
  public static double[] toDoubles(INDArray a) {
    requireNonNull(a, "array");
    if (a.isEmpty() || a.length() == 0) {
      return new double[0];
    }
    INDArray d = TensorBuffers.dense(a);
    if (d.dataType() == DataType.DOUBLE) {
      return TensorBuffers.bulkDoubles(d);
    }
    if (d.dataType() == DataType.FLOAT) {
      return TensorBuffers.bulkFloatsAsDoubles(d);
    }
    return d.castTo(DataType.DOUBLE).data().asDouble();
  }

  /**
   * The elements in C order as floats (a copy); DOUBLE values are rounded to float32, integer
   * arrays cast.
   *
   * @param a any shape and dtype
   * @return {@code a.length()} values
   * @throws IllegalArgumentException if {@code a} is null
   */
  public static float[] toFloats(INDArray a) {
    requireNonNull(a, "array");
    if (a.isEmpty() || a.length() == 0) {
      return new float[0];
    }
    INDArray d = TensorBuffers.dense(a);
    return TensorBuffers.bulkFloats(d.dataType() == DataType.FLOAT ? d : d.castTo(DataType.FLOAT));
  }

  /**
   * The elements in C order as ints (for labels and indices; floats are truncated toward zero, so
   * callers that need integers check the dtype first).
   *
   * @param a any shape and dtype
   * @return {@code a.length()} values
   * @throws IllegalArgumentException if {@code a} is null or an INT64 value does not fit an int
   */
  public static int[] toInts(INDArray a) {
    return toInts(a, "array");
  }

  /**
   * {@link #toInts(INDArray)} naming the argument in its errors: an INT64 label or index beyond
   * the int range is an {@link IllegalArgumentException} ({@code gt_labels element 2 must fit an
   * int ...; got 4294967296}), not an {@link ArithmeticException}.
   */
  public static int[] toInts(INDArray a, String name) {
    requireNonNull(a, name);
    if (a.isEmpty() || a.length() == 0) {
      return new int[0];
    }
    INDArray d = TensorBuffers.dense(a);
    if (d.dataType() == DataType.INT32) {
      return d.data().asInt();
    }
    if (d.dataType() == DataType.INT64) {
      long[] l = d.data().asLong();
      int[] out = new int[l.length];
      for (int i = 0; i < l.length; i++) {
        out[i] = Args.intIndex(name, i, l[i]);
      }
      return out;
    }
    return d.castTo(DataType.INT32).data().asInt();
  }

  /**
   * {@code values} widened to doubles, exactly; null stays null, so that callers' argument checks
   * can name it.
   */
  public static double[] widen(float[] values) {
    if (values == null) {
      return null;
    }
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** {@code values} rounded to float32; null stays null. */
  public static float[] narrow(double[] values) {
    if (values == null) {
      return null;
    }
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /**
   * A {@code type} array of {@code shape} holding {@code data} in C order; works for empty shapes
   * and scalars ({@code shape} of length 0). Values are cast to {@code type} (rounded for FLOAT,
   * truncated for integer types).
   *
   * @throws IllegalArgumentException if an argument is null or {@code data} does not have the
   *     product of {@code shape} elements
   */
  public static INDArray create(double[] data, DataType type, long... shape) {
    if (TensorBuffers.checkCreate(data, type, shape) == 0) {
      return Nd4j.create(type, shape);
    }
    if (shape.length > 0 && type == DataType.DOUBLE) {
      return TensorBuffers.bulkCreate(data, shape);
    }
    if (shape.length > 0 && type == DataType.FLOAT) {
      return TensorBuffers.bulkCreateNarrowed(data, shape);
    }
    TensorBuffers.requireFitsNarrowType(data, type);
    return TensorBuffers.shaped(Nd4j.createFromArray(data), type, shape);
  }

  /**
   * A {@code type} array of {@code shape} holding {@code data} in C order (see
   * {@link #create(double[], DataType, long...)}).
   *
   * @throws IllegalArgumentException if an argument is null or the length does not fill the shape
   */
  public static INDArray create(float[] data, DataType type, long... shape) {
    if (TensorBuffers.checkCreate(data, type, shape) == 0) {
      return Nd4j.create(type, shape);
    }
    if (shape.length > 0 && type == DataType.FLOAT) {
      return TensorBuffers.bulkCreate(data, shape);
    }
    if (type == DataType.HALF || type == DataType.BFLOAT16) {
      TensorBuffers.requireFitsNarrowType(widen(data), type);
    }
    return TensorBuffers.shaped(Nd4j.createFromArray(data), type, shape);
  }

  /**
   * An INT64 array of {@code shape} holding {@code data} in C order.
   *
   * @throws IllegalArgumentException if an argument is null or the length does not fill the shape
   */
  public static INDArray createLong(long[] data, long... shape) {
    if (TensorBuffers.checkCreate(data, DataType.INT64, shape) == 0) {
      return Nd4j.create(DataType.INT64, shape);
    }
    return TensorBuffers.shaped(Nd4j.createFromArray(data), DataType.INT64, shape);
  }

  /**
   * An INT64 array of {@code shape} holding {@code data} in C order.
   *
   * @throws IllegalArgumentException if an argument is null or the length does not fill the shape
   */
  public static INDArray createLong(int[] data, long... shape) {
    TensorBuffers.checkCreate(data, DataType.INT64, shape);
    long[] l = new long[data.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = data[i];
    }
    return createLong(l, shape);
  }

  /**
   * Whether {@code type} is a floating-point type detkit computes in (FLOAT, DOUBLE, HALF, BFLOAT16).
   *
   * @throws IllegalArgumentException if {@code type} is null
   */
  public static boolean isFloating(DataType type) {
    return requireNonNull(type, "type").isFPType();
  }

  /**
   * Requires a non-null argument; detkit reports a missing argument as an
   * {@link IllegalArgumentException} like every other bad argument.
   *
   * @return {@code value}
   * @throws IllegalArgumentException {@code <name> must not be null}
   */
  public static <T> T requireNonNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }

  /**
   * Requires {@code 0 <= index < size}, for level, image and class indices.
   *
   * @return {@code index}
   * @throws IllegalArgumentException {@code level must be in [0, 3); got 5}
   */
  public static int requireIndex(int index, int size, String name) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(name + " must be in [0, " + size + "); got " + index);
    }
    return index;
  }

  /**
   * Requires a floating-point {@code [N,4]} box array {@code (x1, y1, x2, y2)} (N may be 0); the
   * values are not inspected.
   *
   * @return {@code boxes}
   * @throws IllegalArgumentException {@code gt_bboxes must be [N,4] (x1, y1, x2, y2); got [3,5]},
   *     or for a null or non-floating array
   */
  public static INDArray requireBoxes(INDArray boxes, String name) {
    requireNonNull(boxes, name);
    if (boxes.rank() != 2 || boxes.size(1) != 4) {
      throw new IllegalArgumentException(name + " must be [N,4] (x1, y1, x2, y2); got " + shapeOf(boxes));
    }
    requireFloating(boxes, name);
    return boxes;
  }

  /**
   * Requires a floating-point array (FLOAT, DOUBLE, HALF or BFLOAT16) of any shape.
   *
   * @return {@code a}
   * @throws IllegalArgumentException if {@code a} is null or of an integer or BOOL dtype
   */
  public static INDArray requireFloating(INDArray a, String name) {
    requireNonNull(a, name);
    if (!a.dataType().isFPType()) {
      throw new IllegalArgumentException(name + " must be a floating-point array; got " + a.dataType());
    }
    return a;
  }

  /**
   * Requires exactly {@code shape}.
   *
   * @return {@code a}
   * @throws IllegalArgumentException {@code upstream must be [2,3]; got [3,2]}, or for null
   */
  public static INDArray requireShape(INDArray a, String name, long... shape) {
    requireNonNull(a, name);
    if (!Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException(name + " must be " + Arrays.toString(shape).replace(" ", "")
          + "; got " + shapeOf(a));
    }
    return a;
  }

  /**
   * Requires rank {@code rank}.
   *
   * @return {@code a}
   * @throws IllegalArgumentException {@code overlaps must have rank 2; got [6]}, or for null
   */
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
   * @throws IllegalArgumentException naming {@code name} and the first bad flat index and value,
   *     or if {@code data} is null
   */
  public static void requireFinite(double[] data, String name) {
    requireNonNull(data, name);
    requireFinite(data.length, i -> data[i], name);
  }

  /**
   * Float variant of {@link #requireFinite(double[], String)}.
   *
   * @throws IllegalArgumentException naming the first non-finite element, or if {@code data} is null
   */
  public static void requireFinite(float[] data, String name) {
    requireNonNull(data, name);
    requireFinite(data.length, i -> data[i], name);
  }

  /**
   * The scan behind both {@code requireFinite} overloads: widening a float keeps it finite or not,
   * and a non-finite value prints the same as a float or a double ("NaN", "Infinity").
   */
  private static void requireFinite(int length, IntToDoubleFunction element, String name) {
    for (int i = 0; i < length; i++) {
      double v = element.applyAsDouble(i);
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(name + " must be finite; element " + i + " is " + v);
      }
    }
  }

  /**
   * Requires every element of an ND4J array of any shape and dtype to be finite (see
   * {@link #requireFinite(double[], String)}; integer arrays always pass). The check is one native
   * pass without a copy; only a failing array is read back, to name the element.
   *
   * @throws IllegalArgumentException naming the first non-finite flat index, or if {@code a} is null
   */
  public static void requireFinite(INDArray a, String name) {
    requireNonNull(a, name);
    if (!a.dataType().isFPType() || a.isEmpty() || a.length() == 0) {
      return;
    }
    if (BooleanIndexing.or(a, Conditions.notFinite())) {
      requireFinite(toDoubles(a), name);
    }
  }

  /**
   * Requires flat {@code (x1, y1, x2, y2)} rows ({@code 4*i+k}) with {@code x1 <= x2} and
   * {@code y1 <= y2}. NaN coordinates compare false and pass: check {@link #requireFinite} first.
   *
   * @throws IllegalArgumentException naming the first inverted row and its values, if
   *     {@code xyxy} is null, or if its length is not a multiple of 4
   */
  public static void requireOrderedBoxes(double[] xyxy, String name) {
    requireNonNull(xyxy, name);
    if (xyxy.length % 4 != 0) {
      throw new IllegalArgumentException(name + " must hold 4 values per box (x1, y1, x2, y2); got "
          + xyxy.length + " values");
    }
    for (int i = 0; i + 3 < xyxy.length; i += 4) {
      if (xyxy[i + 2] < xyxy[i] || xyxy[i + 3] < xyxy[i + 1]) {
        throw new IllegalArgumentException(name + " row " + (i / 4) + " must have x1 <= x2 and y1 <= y2; got ["
            + xyxy[i] + ", " + xyxy[i + 1] + ", " + xyxy[i + 2] + ", " + xyxy[i + 3] + "]");
      }
    }
  }
}
