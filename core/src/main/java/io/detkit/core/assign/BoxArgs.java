package io.detkit.core.assign;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument handling shared by the assigners: turns {@code [N,4]} or {@code [N,5]} box arrays
 * (MMDetection tolerates a trailing score column) into flat {@code 4*i+k} primitive arrays and
 * validates them with messages that name the argument and the offending row.
 */
final class BoxArgs {
  private BoxArgs() {}

  /** Whether the assigners should compute in float64: when either box array is DOUBLE. */
  static boolean isDouble(INDArray a, INDArray b) {
    return a.dataType() == DataType.DOUBLE || (b != null && b.dataType() == DataType.DOUBLE);
  }

  /**
   * Checks that {@code boxes} is a floating-point {@code [N,4]} or {@code [N,5]} array.
   *
   * @throws IllegalArgumentException naming {@code name} and the shape or dtype found
   */
  static void checkBoxShape(INDArray boxes, String name) {
    Tensors.requireNonNull(boxes, name);
    if (boxes.rank() != 2 || (boxes.size(1) != 4 && boxes.size(1) != 5)) {
      throw new IllegalArgumentException(name + " must be [N,4] (x1, y1, x2, y2) or [N,5] with a trailing score; got "
          + Tensors.shapeOf(boxes));
    }
    Tensors.requireFloating(boxes, name);
  }

  /** The first four columns of a checked {@code [N,4|5]} array as a flat float array. */
  static float[] floats(INDArray boxes, String name) {
    checkBoxShape(boxes, name);
    return firstFour(Tensors.toFloats(boxes), (int) boxes.size(1));
  }

  /** The first four columns of a checked {@code [N,4|5]} array as a flat double array. */
  static double[] doubles(INDArray boxes, String name) {
    checkBoxShape(boxes, name);
    return firstFour(Tensors.toDoubles(boxes), (int) boxes.size(1));
  }

  private static float[] firstFour(float[] flat, int cols) {
    if (cols == 4) {
      return flat;
    }
    int n = flat.length / cols;
    float[] out = new float[4 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * cols, out, 4 * i, 4);
    }
    return out;
  }

  private static double[] firstFour(double[] flat, int cols) {
    if (cols == 4) {
      return flat;
    }
    int n = flat.length / cols;
    double[] out = new double[4 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * cols, out, 4 * i, 4);
    }
    return out;
  }

  /** Labels {@code [K]} as ints, or null; checks the length against {@code numGts}. */
  static int[] labels(INDArray gtLabels, int numGts) {
    if (gtLabels == null) {
      return null;
    }
    if (gtLabels.rank() > 1 || gtLabels.length() != numGts) {
      throw new IllegalArgumentException("gt_labels must be [K] with K=" + numGts + " (one per gt box); got "
          + Tensors.shapeOf(gtLabels));
    }
    return Tensors.toInts(gtLabels);
  }

  /** Checks a flat box array's length and, for annotations, finiteness and x1 &lt;= x2, y1 &lt;= y2. */
  static int rows(float[] boxes, String name) {
    if (boxes.length % 4 != 0) {
      throw new IllegalArgumentException(name + " must hold 4 values per box (x1, y1, x2, y2); got " + boxes.length
          + " values");
    }
    return boxes.length / 4;
  }

  static int rows(double[] boxes, String name) {
    if (boxes.length % 4 != 0) {
      throw new IllegalArgumentException(name + " must hold 4 values per box (x1, y1, x2, y2); got " + boxes.length
          + " values");
    }
    return boxes.length / 4;
  }

  /**
   * Requires every coordinate to be finite.
   *
   * @throws IllegalArgumentException naming {@code name}, the row and its values
   */
  static void requireFinite(float[] boxes, String name) {
    for (int i = 0; i < boxes.length; i += 4) {
      if (!(Float.isFinite(boxes[i]) && Float.isFinite(boxes[i + 1]) && Float.isFinite(boxes[i + 2])
          && Float.isFinite(boxes[i + 3]))) {
        throw new IllegalArgumentException(name + " row " + i / 4 + " must be finite; got " + row(boxes, i));
      }
    }
  }

  static void requireFinite(double[] boxes, String name) {
    for (int i = 0; i < boxes.length; i += 4) {
      if (!(Double.isFinite(boxes[i]) && Double.isFinite(boxes[i + 1]) && Double.isFinite(boxes[i + 2])
          && Double.isFinite(boxes[i + 3]))) {
        throw new IllegalArgumentException(name + " row " + i / 4 + " must be finite; got " + row(boxes, i));
      }
    }
  }

  /**
   * Requires annotation boxes to be finite with {@code x1 <= x2} and {@code y1 <= y2} (zero width
   * or height is allowed: such a box simply overlaps nothing).
   *
   * @throws IllegalArgumentException naming {@code name}, the row and its values
   */
  static void requireValidAnnotations(float[] boxes, String name) {
    requireFinite(boxes, name);
    for (int i = 0; i < boxes.length; i += 4) {
      if (boxes[i + 2] < boxes[i] || boxes[i + 3] < boxes[i + 1]) {
        throw new IllegalArgumentException(name + " row " + i / 4 + " must have x1 <= x2 and y1 <= y2; got "
            + row(boxes, i));
      }
    }
  }

  static void requireValidAnnotations(double[] boxes, String name) {
    requireFinite(boxes, name);
    for (int i = 0; i < boxes.length; i += 4) {
      if (boxes[i + 2] < boxes[i] || boxes[i + 3] < boxes[i + 1]) {
        throw new IllegalArgumentException(name + " row " + i / 4 + " must have x1 <= x2 and y1 <= y2; got "
            + row(boxes, i));
      }
    }
  }

  private static String row(float[] b, int i) {
    return "[" + b[i] + ", " + b[i + 1] + ", " + b[i + 2] + ", " + b[i + 3] + "]";
  }

  private static String row(double[] b, int i) {
    return "[" + b[i] + ", " + b[i + 1] + ", " + b[i + 2] + ", " + b[i + 3] + "]";
  }

  static float[] toFloats(double[] a) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) a[i];
    }
    return out;
  }

  static double[] toDoubles(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  /** Empty arrays for null ignore boxes. */
  static float[] orEmpty(float[] a) {
    return a == null ? new float[0] : a;
  }

  static double[] orEmpty(double[] a) {
    return a == null ? new double[0] : a;
  }
}
