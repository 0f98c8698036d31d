package io.detkit.bench;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
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
 * {@code bbox_overlaps(gt, anchors)}: IoU of {@code numGts} ground-truth boxes with RetinaNet's
 * 182,403 anchors, the {@code [numGts, 182403]} matrix MaxIoUAssigner starts from. {@code api} goes
 * through ND4J arrays as the entry's contract asks a caller to: it reads the output and closes it;
 * {@code apiDropped} drops it instead, so that ND4J frees it only when the garbage collector runs
 * (the figure then depends on the heap's garbage: calls that find no freed memory fault in 14.6 MB
 * of fresh pages at 20 gts, which made the dropped median bimodal between builds); {@code kernel} runs the primitive loop alone, so the difference
 * is the boundary's cost; {@code columnsSketch} is {@link OverlapSketch}, what a vectorised layout
 * buys.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BboxOverlapsBench {
  @Param({"20", "100"})
  public int numGts;

  private INDArray gt;
  private INDArray anchors;
  private float[] gtFlat;
  private float[] anchorsFlat;
  private float[] out;
  private OverlapSketch columns;

  @Setup(Level.Trial)
  public void setUp() {
    gtFlat = CocoScale.gtBoxes(numGts, CocoScale.GT_SEED);
    anchorsFlat = CocoScale.anchors(CocoScale.retinaAnchorGenerator());
    gt = Tensors.create(gtFlat, DataType.FLOAT, numGts, 4);
    anchors = Tensors.create(anchorsFlat, DataType.FLOAT, anchorsFlat.length / 4, 4);
    out = new float[numGts * (anchorsFlat.length / 4)];
    columns = new OverlapSketch(anchorsFlat);
  }

  @Benchmark
  public double api() {
    try (INDArray r = BboxOverlaps.bboxOverlaps(gt, anchors)) {
      return r.getDouble(0);
    }
  }

  @Benchmark
  public INDArray apiDropped() {
    return BboxOverlaps.bboxOverlaps(gt, anchors);
  }

  @Benchmark
  public float[] kernel() {
    OverlapKernels.pairwise(gtFlat, 0, numGts, anchorsFlat, OverlapMode.IOU, (float) BboxOverlaps.DEFAULT_EPS, out);
    return out;
  }

  /** {@link OverlapSketch}: the same arithmetic on column-wise anchors, which vectorises. */
  @Benchmark
  public float[] columnsSketch() {
    columns.iou(gtFlat, (float) BboxOverlaps.DEFAULT_EPS, out);
    return out;
  }
}
