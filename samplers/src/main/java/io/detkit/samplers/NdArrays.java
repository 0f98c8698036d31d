package io.detkit.samplers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Flattens ND4J arrays into primitive arrays in C order.
 *
 * <p>Core's {@code Tensors.toDoubles/toInts} call {@code reshape('c', length)}, which Java resolves
 * to {@code reshape(long...)} with the char widened to 99, so they fail on every non-empty array;
 * these pass the shape as an explicit {@code long[]}.
 */
final class NdArrays {
  private NdArrays() {}

  static double[] doubles(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new double[0];
    }
    INDArray c = a.dataType() == DataType.DOUBLE ? a : a.castTo(DataType.DOUBLE);
    return c.reshape('c', new long[] {c.length()}).toDoubleVector();
  }

  static int[] ints(INDArray a) {
    if (a.isEmpty() || a.length() == 0) {
      return new int[0];
    }
    INDArray c = a.dataType() == DataType.INT ? a : a.castTo(DataType.INT);
    return c.reshape('c', new long[] {c.length()}).toIntVector();
  }
}
