package io.detkit.bench;

import io.detkit.core.tensor.Tensors;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The ND4J boundary at the FocalLoss case's size (182,403 x 80 = 14.6 M elements): what moving the
 * logits out of and the gradient into an {@link INDArray} costs. {@code createFromDoubles} is
 * {@code Tensors.create(double[], FLOAT, ...)} as the losses call it; {@code createFromFloats} the
 * float32 path; {@code bulkPutFloats} an uninitialised array filled with one NIO bulk put;
 * {@code toFloats} / {@code toDoubles} the reads.
 */
public class BoundaryBench extends SampleTimeBench {
  private static final int N = CocoScale.RETINA_ANCHORS;
  private static final int C = CocoScale.NUM_CLASSES;

  private float[] floats;
  private double[] doubles;
  private INDArray array;

  @Setup(Level.Trial)
  public void setUp() {
    floats = CocoScale.logits(N, C, CocoScale.FOCAL_LOGIT_SEED);
    doubles = new double[floats.length];
    for (int i = 0; i < floats.length; i++) {
      doubles[i] = floats[i];
    }
    array = Tensors.create(floats, DataType.FLOAT, N, C);
  }

  @Benchmark
  public INDArray createFromDoubles() {
    return Tensors.create(doubles, DataType.FLOAT, N, C);
  }

  @Benchmark
  public INDArray createFromFloats() {
    return Tensors.create(floats, DataType.FLOAT, N, C);
  }

  @Benchmark
  public INDArray bulkPutFloats() {
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {N, C}, 'c');
    FloatBuffer b = out.data().asNioFloat();
    b.put(floats);
    return out;
  }

  /** What {@code createFromDoubles} would cost narrowing to float32 in Java, then one bulk put. */
  @Benchmark
  public INDArray narrowThenBulkPut() {
    float[] f = new float[doubles.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) doubles[i];
    }
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {N, C}, 'c');
    out.data().asNioFloat().put(f);
    return out;
  }

  @Benchmark
  public float[] toFloats() {
    return Tensors.toFloats(array);
  }

  @Benchmark
  public double[] toDoubles() {
    return Tensors.toDoubles(array);
  }
}
