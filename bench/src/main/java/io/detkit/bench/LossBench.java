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
 * gradient with respect to the prediction.
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
  }

  @Benchmark
  public LossResult focalLoss() {
    return focal.forward(LossArgs.of(logits, labels).avgFactor(numPos));
  }

  /**
   * {@link #focalLoss} by a caller that frees the returned gradient once it has read it. A dropped
   * 58 MB ND4J gradient is freed only when a garbage collection finds it, so {@code focalLoss}
   * pages in fresh off-heap memory on nearly every call (about 200 ms of its time on this machine
   * kind); the difference between the two is that cost, not the loss.
   */
  @Benchmark
  public double focalLossClosed() {
    LossResult r = focal.forward(LossArgs.of(logits, labels).avgFactor(numPos));
    double v = r.scalar();
    r.gradPred().close();
    r.value().close();
    return v;
  }

  @Benchmark
  public LossResult giouLoss() {
    return giou.forward(LossArgs.of(pred, target));
  }
}
