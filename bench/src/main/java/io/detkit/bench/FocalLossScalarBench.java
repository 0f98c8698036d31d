package io.detkit.bench;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@link LossBench#focalLoss}'s case with the Vector API switched off ({@code -Ddetkit.simd=false}):
 * the fused float64 scalar path that a JVM started without {@code --add-modules
 * jdk.incubator.vector} runs.
 */
@Fork(jvmArgsPrepend = "-Ddetkit.simd=false")
public class FocalLossScalarBench extends SampleTimeBench {
  private final FocalLoss focal = FocalLoss.TYPE.builder().build();
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
