package io.detkit.bench;

import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.tensor.Tensors;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One image's assignment through the ND4J API: RetinaNet's {@code MaxIoUAssigner(pos_iou_thr=0.5,
 * neg_iou_thr=0.4, min_pos_iou=0)} over 182,403 anchors and {@code ATSSAssigner(topk=9)} over
 * ATSS's 20,267 anchors, with 20 or 100 ground-truth boxes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AssignerBench {
  @Param({"20", "100"})
  public int numGts;

  private final MaxIoUAssigner maxIoU = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4)
      .withMinPosIou(0).withIgnoreIofThr(-1));
  private final ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));

  private INDArray retinaAnchors;
  private int[] retinaLevels;
  private INDArray atssAnchors;
  private int[] atssLevels;
  private INDArray gt;
  private INDArray labels;
  private float[] atssAnchorValues;
  private float[] gtValues;

  @Setup(Level.Trial)
  public void setUp() {
    float[] r = CocoScale.anchors(CocoScale.retinaAnchorGenerator());
    retinaAnchors = Tensors.create(r, DataType.FLOAT, r.length / 4, 4);
    retinaLevels = CocoScale.numLevelAnchors(CocoScale.retinaAnchorGenerator());
    float[] a = CocoScale.anchors(CocoScale.atssAnchorGenerator());
    atssAnchors = Tensors.create(a, DataType.FLOAT, a.length / 4, 4);
    atssLevels = CocoScale.numLevelAnchors(CocoScale.atssAnchorGenerator());
    atssAnchorValues = a;
    gtValues = CocoScale.gtBoxes(numGts, CocoScale.GT_SEED);
    gt = Tensors.create(gtValues, DataType.FLOAT, numGts, 4);
    labels = Tensors.createLong(CocoScale.gtLabels(numGts, CocoScale.GT_SEED), numGts);
  }

  @Benchmark
  public AssignResult maxIoU() {
    return maxIoU.assign(retinaAnchors, retinaLevels, gt, null, labels);
  }

  @Benchmark
  public AssignResult atss() {
    return atss.assign(atssAnchors, atssLevels, gt, null, labels);
  }

  /** ATSS's candidate selection alone (centre distances and per-level top-k), on primitive arrays. */
  @Benchmark
  public int[] atssCandidates() {
    return atss.topkCandidates(atssAnchorValues, atssLevels, gtValues, null);
  }
}
