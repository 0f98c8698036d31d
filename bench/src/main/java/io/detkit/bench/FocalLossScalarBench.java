package io.detkit.bench;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link LossBench#focalLoss}'s case with the Vector API switched off ({@code -Ddetkit.simd=false}):
 * the fused float64 scalar path that a JVM started without {@code --add-modules
 * jdk.incubator.vector} runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsPrepend = "-Ddetkit.simd=false")
public class FocalLossScalarBench {
  private final FocalLoss focal = FocalLoss.builder().build();
  private INDArray logits;
  private INDArray labels;
  private double numPos;

  @Setup(Level.Trial)
  public void setUp() {
    int n = CocoScale.RETINA_ANCHORS;
    logits = Tensors.create(CocoScale.logits(n, CocoScale.NUM_CLASSES, CocoScale.FOCAL_LOGIT_SEED), DataType.FLOAT, n,
        CocoScale.NUM_CLASSES);
    labels = Tensors.createLong(CocoScale.anchorLabels(n, CocoScale.FOCAL_POSITIVE_STRIDE, CocoScale.FOCAL_LABEL_SEED),
        n);
    numPos = CocoScale.focalNumPositives();
  }

  @Benchmark
  public LossResult focalLoss() {
    return focal.forward(LossArgs.of(logits, labels).avgFactor(numPos));
  }
}
