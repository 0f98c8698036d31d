package io.detkit.samplers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flattens ND4J arrays into primitive arrays in C order, reading the buffer directly when the
 * array is dense (a few microseconds instead of the ~100us of {@code reshape(...).toXxxVector()}).
 *
 * <p>Core's {@code Tensors.toDoubles/toInts} call {@code reshape('c', length)}, which Java resolves
 * to {@code reshape(long...)} with the char widened to 99, so they fail on every non-empty array;
 * hence this package-local copy.
 */
final class NdArrays {
  private NdArrays() {}

  static double[] doubles(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new double[0];
    }
    INDArray d = dense(a);
    return switch (d.dataType()) {
      case DOUBLE -> d.data().asDouble();
      case FLOAT -> {
        float[] f = d.data().asFloat();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          out[i] = f[i];
        }
        yield out;
      }
      default -> d.castTo(DataType.DOUBLE).data().asDouble();
    };
  }

  static int[] ints(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new int[0];
    }
    INDArray d = dense(a);
    return switch (d.dataType()) {
      case INT -> d.data().asInt();
      case LONG -> {
        long[] l = d.data().asLong();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
          out[i] = Math.toIntExact(l[i]);
        }
        yield out;
      }
      default -> d.castTo(DataType.INT).data().asInt();
    };
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
}
