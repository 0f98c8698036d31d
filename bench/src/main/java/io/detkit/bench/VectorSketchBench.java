package io.detkit.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@link FocalLossVectorSketch} on the FocalLoss case's inputs, one thread. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class VectorSketchBench {
  private float[] logits;
  private int[] labels;
  private float[] grad;

  @Setup(Level.Trial)
  public void setUp() {
    logits = CocoScale.logits(CocoScale.RETINA_ANCHORS, CocoScale.NUM_CLASSES, CocoScale.FOCAL_LOGIT_SEED);
    labels = CocoScale.anchorLabels(CocoScale.RETINA_ANCHORS, CocoScale.FOCAL_POSITIVE_STRIDE,
        CocoScale.FOCAL_LABEL_SEED);
    grad = new float[logits.length];
  }

  @Benchmark
  public double focalVectorSketch() {
    return FocalLossVectorSketch.forward(logits, labels, CocoScale.NUM_CLASSES, CocoScale.focalNumPositives(), grad);
  }
}
