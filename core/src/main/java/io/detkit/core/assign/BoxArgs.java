package io.detkit.core.assign;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.lang.reflect.Array;
import java.util.function.IntFunction;
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

  /** The shapes of an assigner's box inputs: priors and gts {@code [N,4|5]}, ignore boxes the same or null. */
  static void checkAssignShapes(INDArray bboxes, INDArray gtBboxes, INDArray gtBboxesIgnore) {
    checkBoxShape(bboxes, "bboxes");
    checkBoxShape(gtBboxes, "gt_bboxes");
    if (gtBboxesIgnore != null) {
      checkBoxShape(gtBboxesIgnore, "gt_bboxes_ignore");
    }
  }

  /**
   * An assigner's box inputs read once, in the precision MMDetection would compute them in.
   *
   * @param precision F64 when the priors or the gts are DOUBLE, else F32
   * @param bboxes {@code 4*N} priors
   * @param gtBboxes {@code 4*K} ground truths
   * @param gtBboxesIgnore {@code 4*I} ignore boxes, or null when none were given
   * @param gtLabels {@code K} labels, or null when none were given
   */
  record Inputs(Precision precision, double[] bboxes, double[] gtBboxes, double[] gtBboxesIgnore, int[] gtLabels) {}

  /**
   * Checks and reads the shared inputs of {@code BaseAssigner.assign}; float32 runs get their
   * values rounded to float32 (a DOUBLE ignore array with float32 boxes is used in float32).
   *
   * @throws IllegalArgumentException as {@link #checkAssignShapes} and {@link #labels}
   */
  static Inputs read(INDArray bboxes, INDArray gtBboxes, INDArray gtBboxesIgnore, INDArray gtLabels) {
    checkAssignShapes(bboxes, gtBboxes, gtBboxesIgnore);
    int[] labels = labels(gtLabels, (int) gtBboxes.size(0));
    Precision p = isDouble(bboxes, gtBboxes) ? Precision.F64 : Precision.F32;
    return new Inputs(p, values(bboxes, "bboxes", p), values(gtBboxes, "gt_bboxes", p),
        gtBboxesIgnore == null ? null : values(gtBboxesIgnore, "gt_bboxes_ignore", p), labels);
  }

  /**
   * The first four columns of a checked {@code [N,4|5]} array as flat doubles holding values of
   * precision {@code p} (float32 values are exact in doubles).
   */
  static double[] values(INDArray boxes, String name, Precision p) {
    // A FLOAT array widened is already float32 values: read straight to doubles, no float copy.
    return p == Precision.F64 || boxes != null && boxes.dataType() == DataType.FLOAT ? doubles(boxes, name)
        : Tensors.widen(floats(boxes, name));
  }

  /** The first four columns of a checked {@code [N,4|5]} array as a flat float array. */
  static float[] floats(INDArray boxes, String name) {
    checkBoxShape(boxes, name);
    return firstFour(Tensors.toFloats(boxes), (int) boxes.size(1), float[]::new);
  }

  /** The first four columns of a checked {@code [N,4|5]} array as a flat double array. */
  static double[] doubles(INDArray boxes, String name) {
    checkBoxShape(boxes, name);
    return firstFour(Tensors.toDoubles(boxes), (int) boxes.size(1), double[]::new);
  }

  /** The first four of every {@code cols} values of a primitive array ({@code float[]} or {@code double[]}). */
  private static <A> A firstFour(A flat, int cols, IntFunction<A> newArray) {
    if (cols == 4) {
      return flat;
    }
    int n = Array.getLength(flat) / cols;
    A out = newArray.apply(4 * n);
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * cols, out, 4 * i, 4);
    }
    return out;
  }

  /**
   * Labels {@code [K]} as ints, or null. Any dtype holding whole class indices &gt;= 0 is accepted,
   * as {@code GroundTruth} does.
   *
   * @throws IllegalArgumentException for a length other than {@code numGts}, or a value that is
   *     negative or not a whole number (naming the element)
   */
  static int[] labels(INDArray gtLabels, int numGts) {
    if (gtLabels == null) {
      return null;
    }
    if (gtLabels.rank() > 1 || gtLabels.length() != numGts) {
      throw new IllegalArgumentException("gt_labels must be [K] with K=" + numGts + " (one per gt box); got "
          + Tensors.shapeOf(gtLabels));
    }
    int[] l = Tensors.toInts(gtLabels, "gt_labels");
    if (gtLabels.dataType().isFPType()) {
      double[] d = Tensors.toDoubles(gtLabels);
      for (int i = 0; i < l.length; i++) {
        if (d[i] != l[i]) {
          throw new IllegalArgumentException("gt_labels must hold whole class indices; element " + i + " is "
              + d[i]);
        }
      }
    }
    checkLabels(l, numGts);
    return l;
  }

  /**
   * Checks primitive labels: null (no labels) or {@code numGts} values, each &gt;= 0.
   *
   * @throws IllegalArgumentException naming the count or the first negative element
   */
  static void checkLabels(int[] gtLabels, int numGts) {
    if (gtLabels == null) {
      return;
    }
    if (gtLabels.length != numGts) {
      throw new IllegalArgumentException("gt_labels must have one entry per gt box (" + numGts + "); got "
          + gtLabels.length);
    }
    for (int i = 0; i < gtLabels.length; i++) {
      if (gtLabels[i] < 0) {
        throw new IllegalArgumentException("gt_labels must hold class indices >= 0; element " + i + " is "
            + gtLabels[i]);
      }
    }
  }

  /**
   * The number of boxes in a flat {@code 4*n} array.
   *
   * @throws IllegalArgumentException naming {@code name} if the array is null or its length is not
   *     a multiple of 4
   */
  static int rows(float[] boxes, String name) {
    return rows(Tensors.requireNonNull(boxes, name).length, name);
  }

  static int rows(double[] boxes, String name) {
    return rows(Tensors.requireNonNull(boxes, name).length, name);
  }

  private static int rows(int length, String name) {
    if (length % 4 != 0) {
      throw new IllegalArgumentException(name + " must hold 4 values per box (x1, y1, x2, y2); got " + length
          + " values");
    }
    return length / 4;
  }

  /**
   * Requires every coordinate to be finite.
   *
   * @throws IllegalArgumentException naming {@code name}, the row and its values
   */
  static void requireFinite(float[] boxes, String name) {
    requireFinite(Tensors.widen(boxes), name, Precision.F32);
  }

  static void requireFinite(double[] boxes, String name) {
    requireFinite(boxes, name, Precision.F64);
  }

  /** {@link #requireFinite(double[], String)}; the message shows the values as {@code p} writes them. */
  static void requireFinite(double[] boxes, String name, Precision p) {
    for (int i = 0; i < boxes.length; i += 4) {
      if (!(Double.isFinite(boxes[i]) && Double.isFinite(boxes[i + 1]) && Double.isFinite(boxes[i + 2])
          && Double.isFinite(boxes[i + 3]))) {
        throw new IllegalArgumentException(name + " row " + i / 4 + " must be finite; got " + row(boxes, i, p));
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
    requireValidAnnotations(Tensors.widen(boxes), name, Precision.F32);
  }

  static void requireValidAnnotations(double[] boxes, String name) {
    requireValidAnnotations(boxes, name, Precision.F64);
  }

  /** {@link #requireValidAnnotations(double[], String)}; the message shows the values as {@code p} writes them. */
  static void requireValidAnnotations(double[] boxes, String name, Precision p) {
    requireFinite(boxes, name, p);
    for (int i = 0; i < boxes.length; i += 4) {
      if (boxes[i + 2] < boxes[i] || boxes[i + 3] < boxes[i + 1]) {
        throw new IllegalArgumentException(name + " row " + i / 4 + " must have x1 <= x2 and y1 <= y2; got "
            + row(boxes, i, p));
      }
    }
  }

  /** Row {@code i / 4} as {@code [x1, y1, x2, y2]}, float32 values written as floats (as the caller passed them). */
  private static String row(double[] b, int i, Precision p) {
    StringBuilder s = new StringBuilder("[");
    for (int c = 0; c < 4; c++) {
      s.append(c == 0 ? "" : ", ").append(p.isSingle() ? String.valueOf((float) b[i + c]) : String.valueOf(b[i + c]));
    }
    return s.append(']').toString();
  }

  /** Empty arrays for null ignore boxes. */
  static float[] orEmpty(float[] a) {
    return a == null ? new float[0] : a;
  }

  static double[] orEmpty(double[] a) {
    return a == null ? new double[0] : a;
  }
}
