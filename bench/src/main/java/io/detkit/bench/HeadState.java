package io.detkit.bench;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One training step's inputs for a head ({@link BenchHeads#HEADS}): the outputs of every level for
 * {@code batch} images ({@link HeadMaps#map}), 20 ground-truth boxes per image, image metas of
 * 800 x 1216, and the head with a two-thread pool for its per-image work. The targets are also
 * computed once, for the benchmark that times the loss alone, where the head computes them without
 * its outputs ({@code null} otherwise).
 */
@State(Scope.Benchmark)
public class HeadState {
  /** Ground-truth boxes per image. */
  public static final int GTS = 20;

  @Param({"retina", "atss", "gfl", "fcos", "tood", "tood_initial"})
  public String head;

  @Param({"1", "2"})
  public int batch;

  BenchHead benchHead;
  HeadOutputs outputs;
  List<GroundTruth> gts;
  List<ImageMeta> metas;
  List<int[]> featmapSizes;
  Object targets;
  private ForkJoinPool pool;

  @Setup(Level.Trial)
  public void setUp() {
    HeadMaps.Kind kind = BenchHeads.kind(head);
    pool = new ForkJoinPool(2);
    benchHead = BenchHeads.build(head, pool);
    featmapSizes = CocoScale.featmapSizes();
    List<String> names = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS, HeadOutputs.CENTERNESSES);
    HeadOutputs o = HeadOutputs.empty();
    for (HeadMaps.Output out : kind.outputs()) {
      o = o.with(names.get(out.ordinal()), level(kind, out));
    }
    outputs = o;
    gts = new ArrayList<>();
    metas = new ArrayList<>();
    long[] seeds = {CocoScale.GT_SEED, CocoScale.GT_SEED_2};
    for (int b = 0; b < batch; b++) {
      gts.add(GroundTruth.of(Tensors.create(CocoScale.gtBoxes(GTS, seeds[b]), DataType.FLOAT, GTS, 4),
          Tensors.createLong(CocoScale.gtLabels(GTS, seeds[b]), GTS)));
      metas.add(ImageMeta.ofSize(CocoScale.IMG_H, CocoScale.IMG_W));
    }
    try {
      targets = computeTargets();
    } catch (UnsupportedOperationException e) {
      targets = null;  // TOOD's task-aligned targets read the outputs: only its whole step is timed
    }
  }

  private List<INDArray> level(HeadMaps.Kind kind, HeadMaps.Output out) {
    List<INDArray> levels = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] hw = featmapSizes.get(l);
      levels.add(Tensors.create(HeadMaps.map(kind, out, l, batch), DataType.FLOAT, batch, out.channels(kind),
          hw[0], hw[1]));
    }
    return levels;
  }

  /** The targets alone ({@link BenchHead#targets}). */
  Object computeTargets() {
    return benchHead.targets(featmapSizes, gts, metas);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.shutdownNow();
  }
}
