package io.detkit.bench;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.GIoULoss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Reduction;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Loss forward plus gradient, as a head calls them: {@code FocalLoss(gamma=2, alpha=0.25)} on all
 * 182,403 RetinaNet anchors x 80 logits with class-id targets and {@code avg_factor} = the number of
 * positives; {@code GIoULoss} (mean) on 10,000 box pairs. Every call returns the value and the
 * gradient with respect to the prediction: a new array ({@code focalLoss}, {@code giouLoss}; the
 * result dropped as a careless caller would, or closed), or the caller's reused one
 * ({@code *Into}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LossBench {
  private static final int ANCHORS = CocoScale.RETINA_ANCHORS;
  private static final int BOXES = CocoScale.GIOU_BOXES;

  private final FocalLoss focal = FocalLoss.TYPE.builder().params(p -> p.withGamma(2.0).withAlpha(0.25))
      .options(o -> o.withReduction(Reduction.MEAN)).build();
  private final GIoULoss giou = GIoULoss.TYPE.builder().options(o -> o.withReduction(Reduction.MEAN)).build();

  private INDArray logits;
  private INDArray labels;
  private double numPos;
  private INDArray pred;
  private INDArray target;
  private INDArray focalGrad;
  private INDArray giouGrad;

  @Setup(Level.Trial)
  public void setUp() {
    logits = Tensors.create(CocoScale.logits(ANCHORS, CocoScale.NUM_CLASSES, CocoScale.FOCAL_LOGIT_SEED), DataType.FLOAT, ANCHORS,
        CocoScale.NUM_CLASSES);
    int[] l = CocoScale.anchorLabels(ANCHORS, CocoScale.FOCAL_POSITIVE_STRIDE, CocoScale.FOCAL_LABEL_SEED);
    labels = Tensors.createLong(l, ANCHORS);
    numPos = CocoScale.focalNumPositives();
    float[][] pairs = CocoScale.boxPairs(BOXES, CocoScale.GIOU_SEED);
    pred = Tensors.create(pairs[0], DataType.FLOAT, BOXES, 4);
    target = Tensors.create(pairs[1], DataType.FLOAT, BOXES, 4);
    focalGrad = Nd4j.create(DataType.FLOAT, ANCHORS, CocoScale.NUM_CLASSES);
    giouGrad = Nd4j.create(DataType.FLOAT, BOXES, 4);
  }

  @Benchmark
  public LossResult focalLoss() {
    return focal.forward(LossArgs.of(logits, labels).avgFactor(numPos));
  }

  /**
   * {@link #focalLoss} by a caller that frees the result once it has read it. Still a new 58 MB
   * gradient every call: the C allocator maps an allocation that large fresh and unmaps it on free,
   * so its pages fault in again on every call (most of this benchmark's time on this machine kind).
   */
  @Benchmark
  public double focalLossClosed() {
    try (LossResult r = focal.forward(LossArgs.of(logits, labels).avgFactor(numPos))) {
      return r.scalar();
    }
  }

  /**
   * {@link #focalLoss} writing the gradient into one array reused by every call
   * ({@link LossArgs#gradInto}): the loss itself, without the fresh gradient's page faults.
   */
  @Benchmark
  public double focalLossInto() {
    try (LossResult r = focal.forward(LossArgs.of(logits, labels).avgFactor(numPos).gradInto(focalGrad))) {
      return r.scalar();
    }
  }

  @Benchmark
  public LossResult giouLoss() {
    return giou.forward(LossArgs.of(pred, target));
  }

  /** {@link #giouLoss} writing the gradient into one reused array. */
  @Benchmark
  public double giouLossInto() {
    try (LossResult r = giou.forward(LossArgs.of(pred, target).gradInto(giouGrad))) {
      return r.scalar();
    }
  }
}
