package io.detkit.bench;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.MultiLevelAnchors;
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
 * One training step's inputs for a head: the outputs of every level for {@code batch} images
 * ({@link CocoScale#headMap}), 20 ground-truth boxes per image, image metas of 800 x 1216, and the
 * head with a two-thread pool for its per-image work. The anchors and targets are also computed
 * once, for the benchmark that times the loss alone.
 */
@State(Scope.Benchmark)
public class HeadState {
  /** Ground-truth boxes per image. */
  public static final int GTS = 20;

  @Param({"retina", "atss"})
  public String head;

  @Param({"1", "2"})
  public int batch;

  AnchorHead denseHead;
  HeadOutputs outputs;
  List<GroundTruth> gts;
  List<ImageMeta> metas;
  List<int[]> featmapSizes;
  MultiLevelAnchors anchors;
  HeadTargets targets;
  private ForkJoinPool pool;

  @Setup(Level.Trial)
  public void setUp() {
    CocoScale.HeadKind kind = CocoScale.HeadKind.of(head);
    pool = new ForkJoinPool(2);
    this.denseHead = BenchHeads.build(kind, pool);
    featmapSizes = CocoScale.featmapSizes();
    HeadOutputs o = HeadOutputs.of(level(kind, CocoScale.HeadOutput.CLS), level(kind, CocoScale.HeadOutput.REG));
    if (kind == CocoScale.HeadKind.ATSS) {
      o = o.with(HeadOutputs.CENTERNESSES, level(kind, CocoScale.HeadOutput.CTR));
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
    anchors = computeAnchors();
    targets = computeTargets(anchors);
  }

  private List<INDArray> level(CocoScale.HeadKind kind, CocoScale.HeadOutput out) {
    List<INDArray> levels = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] hw = featmapSizes.get(l);
      levels.add(Tensors.create(CocoScale.headMap(kind, out, l, batch), DataType.FLOAT, batch, out.channels(kind),
          hw[0], hw[1]));
    }
    return levels;
  }

  MultiLevelAnchors computeAnchors() {
    return denseHead.getAnchors(featmapSizes, metas, DataType.FLOAT);
  }

  HeadTargets computeTargets(MultiLevelAnchors a) {
    return denseHead.getTargets(a, gts, metas, denseHead.labelChannels())
        .orElseThrow(() -> new IllegalStateException("no anchor inside the image"));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.shutdownNow();
  }
}
