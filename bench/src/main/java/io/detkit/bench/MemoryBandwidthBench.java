package io.detkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * Single-thread streaming memory bandwidth, the floor for FocalLoss: one pass that reads the
 * 182,403 x 80 float32 logits (58 MB) and writes an array of the same size, which is the least a
 * loss with a dense gradient must move. {@code copy} is {@link System#arraycopy} (STREAM's Copy);
 * {@code scale} a plain loop {@code dst[i] = k * src[i]} (STREAM's Scale). Bandwidth is {@code 2 *
 * 58.4 MB / time}, counting the read and the write as STREAM does.
 */
public class MemoryBandwidthBench extends SampleTimeBench {
  /** Elements moved per pass: RetinaNet's anchors times 80 classes. */
  public static final int ELEMENTS = CocoScale.RETINA_ANCHORS * CocoScale.NUM_CLASSES;

  private float[] src;
  private float[] dst;

  @Setup(Level.Trial)
  public void setUp() {
    src = CocoScale.logits(CocoScale.RETINA_ANCHORS, CocoScale.NUM_CLASSES, 1);
    dst = new float[ELEMENTS];
  }

  @Benchmark
  public float[] copy() {
    System.arraycopy(src, 0, dst, 0, ELEMENTS);
    return dst;
  }

  @Benchmark
  public float[] scale() {
    float[] s = src;
    float[] d = dst;
    for (int i = 0; i < s.length; i++) {
      d[i] = 0.5f * s[i];
    }
    return d;
  }
}
