package io.detkit.core.nms;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The array checks and conversions at the edge of NMS: shapes, finite rows, working precision, {@code dets}. */
final class NmsArrays {
  private NmsArrays() {}

  static boolean isDouble(INDArray a, INDArray b) {
    return a.dataType() == DataType.DOUBLE || b.dataType() == DataType.DOUBLE;
  }

  /** Values in the working precision (float32 values are rounded first when computing in float32). */
  static double[] values(INDArray a, boolean f32) {
    return f32 ? toDoubles(Tensors.toFloats(a)) : Tensors.toDoubles(a);
  }

  static int checkBoxes(INDArray boxes, String name) {
    Tensors.requireBoxes(boxes, name);
    return (int) boxes.size(0);
  }

  static void checkVector(INDArray v, String name, int n) {
    Tensors.requireNonNull(v, name);
    if (v.rank() > 1 || v.length() != n) {
      throw new IllegalArgumentException(name + " must be [N] with N=" + n + "; got " + Tensors.shapeOf(v));
    }
  }

  static void requireArrays(Object boxes, Object scores) {
    if (boxes == null) {
      throw new IllegalArgumentException("boxes must not be null");
    }
    if (scores == null) {
      throw new IllegalArgumentException("scores must not be null");
    }
  }

  static double[] toDoubles(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  static INDArray dets(double[] boxes, double[] scores, int[] kept, DataType type) {
    double[] d = new double[5 * kept.length];
    for (int t = 0; t < kept.length; t++) {
      System.arraycopy(boxes, 4 * kept[t], d, 5 * t, 4);
      d[5 * t + 4] = scores[kept[t]];
    }
    return Tensors.create(d, type.isFPType() ? type : DataType.FLOAT, kept.length, 5);
  }

  /** Requires finite coordinates; returns the largest magnitude, which decides the scaled IoU path. */
  static double requireFiniteRows(double[] b, String name) {
    double reach = 0;
    for (int i = 0; i < b.length; i++) {
      if (!Double.isFinite(b[i])) {
        int row = i / 4;
        throw new IllegalArgumentException(name + " row " + row + " must be finite; got "
            + Arrays.toString(Arrays.copyOfRange(b, 4 * row, 4 * row + 4)));
      }
      reach = Math.max(reach, Math.abs(b[i]));
    }
    return reach;
  }
}
