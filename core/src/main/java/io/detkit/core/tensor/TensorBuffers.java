package io.detkit.core.tensor;

import io.detkit.core.check.Limits;
import java.lang.ref.Reference;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The buffer side of {@link Tensors}' conversions: bulk copies between an ND4J array's off-heap
 * buffer and a Java array through the buffer's NIO view (with the owner kept reachable during the
 * copy), the dense C-order test that decides whether a copy can read the buffer directly, and the
 * argument and range checks of the array factories. Package-private: callers use {@link Tensors}.
 */
final class TensorBuffers {
  private TensorBuffers() {}

  // A bulk copy through the NIO view: ND4J's asFloat()/asDouble() go element by element, several
  // times slower on the 15-million-element score maps of a COCO-size head. The view does not keep
  // the array alive: without the fence the array (often a temporary dense copy) can be collected
  // and its memory freed in the middle of the copy (a JVM crash or garbage values under load).
  private static void withBuffer(INDArray owner, Consumer<DataBuffer> copy) {
    try {
      copy.accept(owner.data());
    } finally {
      Reference.reachabilityFence(owner);
    }
  }

  static float[] bulkFloats(INDArray denseFloat) {
    Limits.requireBufferBytes("reading an array", denseFloat.length(), Float.BYTES, "FLOAT");
    float[] out = new float[(int) denseFloat.length()];
    withBuffer(denseFloat, buf -> buf.asNioFloat().get(out));
    return out;
  }

  /** A dense FLOAT array's elements widened to doubles (exact), with no full-size float copy. */
  static double[] bulkFloatsAsDoubles(INDArray denseFloat) {
    Limits.requireBufferBytes("reading an array", denseFloat.length(), Float.BYTES, "FLOAT");
    double[] out = new double[(int) denseFloat.length()];
    withBuffer(denseFloat, buf -> FloatChunks.widen(buf.asNioFloat(), 0, out, 0, out.length));
    return out;
  }

  /** {@code data} rounded to float32 in a new dense FLOAT array of {@code shape}, with no full-size float copy. */
  static INDArray bulkCreateNarrowed(double[] data, long[] shape) {
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    withBuffer(out, buf -> FloatChunks.narrow(data, 0, buf.asNioFloat(), 0, data.length));
    return out;
  }

  static double[] bulkDoubles(INDArray denseDouble) {
    Limits.requireBufferBytes("reading an array", denseDouble.length(), Double.BYTES, "DOUBLE");
    double[] out = new double[(int) denseDouble.length()];
    withBuffer(denseDouble, buf -> buf.asNioDouble().get(out));
    return out;
  }

  /** {@code data} in a new dense DOUBLE array of {@code shape}, written through its NIO view. */
  static INDArray bulkCreate(double[] data, long[] shape) {
    INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, shape, 'c');
    withBuffer(out, buf -> buf.asNioDouble().put(data));
    return out;
  }

  /** {@code data} in a new dense FLOAT array of {@code shape}. */
  static INDArray bulkCreate(float[] data, long[] shape) {
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    withBuffer(out, buf -> buf.asNioFloat().put(data));
    return out;
  }

  /** {@code a} if its buffer holds exactly its elements in C order, else a C-order copy. */
  static INDArray dense(INDArray a) {
    return a.offset() == 0 && a.data().length() == a.length() && cStrides(a) ? a : a.dup('c');
  }

  // Strides of size-1 dimensions do not matter (ND4J often stores 1 there).
  static boolean cStrides(INDArray a) {
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

  /** Values at or beyond this magnitude round to infinity in HALF (float16's maximum is 65504). */
  static final double HALF_OVERFLOW = 65520.0;
  /** Values at or beyond this magnitude round to infinity in BFLOAT16 (2^128 - 2^119). */
  static final double BFLOAT16_OVERFLOW = 0x1p128 - 0x1p119;

  /**
   * Results detkit computes in float64 and returns in HALF or BFLOAT16 (the input's dtype) are
   * refused when a finite value would round to infinity there, instead of coming back infinite.
   */
  static void requireFitsNarrowType(double[] data, DataType type) {
    double limit = type == DataType.HALF ? HALF_OVERFLOW : type == DataType.BFLOAT16 ? BFLOAT16_OVERFLOW : 0;
    if (limit == 0) {
      return;
    }
    for (int i = 0; i < data.length; i++) {
      if (Double.isFinite(data[i]) && Math.abs(data[i]) >= limit) {
        throw new IllegalArgumentException("a result in " + type + " overflows: element " + i + " is " + data[i]
            + ", beyond " + type + "'s range (use FLOAT or DOUBLE inputs)");
      }
    }
  }

  /**
   * Checks a factory's arguments: {@code data} (a primitive array) non-null, {@code type} and
   * {@code shape} non-null, and as many elements as the shape holds.
   *
   * @return the number of elements
   */
  static int checkCreate(Object data, DataType type, long[] shape) {
    if (data == null) {
      throw new IllegalArgumentException("data must not be null");
    }
    // Tensors.requireNonNull's message, checked here so that this helper does not call back into Tensors.
    if (type == null || shape == null) {
      throw new IllegalArgumentException((type == null ? "type" : "shape") + " must not be null");
    }
    int n = Array.getLength(data);
    long expected = 1;
    for (long d : shape) {
      expected *= d;
    }
    if (expected != n) {
      throw new IllegalArgumentException("data of length " + n + " does not fill shape " + Arrays.toString(shape));
    }
    return n;
  }

  /** A flat array cast to {@code type} (when it is another) and given {@code shape} ({@code []}: a scalar). */
  static INDArray shaped(INDArray flat, DataType type, long[] shape) {
    INDArray a = flat.dataType() == type ? flat : flat.castTo(type);
    return shape.length == 0 ? a.reshape() : a.reshape('c', shape);
  }
}
