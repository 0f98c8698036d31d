package io.detkit.heads.anchorfree;

import static io.detkit.heads.DenseHeadEdgeFixture.assertBitIdentical;
import static io.detkit.heads.DenseHeadEdgeFixture.assertSameDetections;

import io.detkit.core.config.Config;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The stored inputs of a bundled golden head case (point or anchor heads), for tests that rerun them differently. */
public final class GoldenPointInputs {
  private GoldenPointInputs() {}

  /** The bundled case {@code id}. */
  public static GoldenCase golden(String id) {
    return GoldenSet.bundled().cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  /** The head outputs {@code names} of {@code c}, every stored level. */
  public static HeadOutputs outputs(GoldenCase c, List<String> names) {
    HeadOutputs out = HeadOutputs.empty();
    for (String name : names) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; c.hasInput(name + "_l" + l); l++) {
        levels.add(c.input(name + "_l" + l));
      }
      out = out.with(name, levels);
    }
    return out;
  }

  /** The ground truths of the {@code n} images of {@code c}. */
  public static List<GroundTruth> gts(GoldenCase c, int n) {
    List<GroundTruth> g = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      g.add(GroundTruth.of(c.input("gt_bboxes_img" + j), c.input("gt_labels_img" + j)));
    }
    return g;
  }

  /**
   * Asserts that a head does not depend on the thread count: built by {@code build} from each
   * case's config with no executor (the caller's thread) and with 8 threads, it gives bit-identical
   * losses and gradients for every case of {@code lossCases} at every epoch of {@code epochs} (epoch
   * 0 when none is given), and bit-identical detections for {@code predictCase} (null: none).
   */
  public static void assertSameOnOneAndEightThreads(BiFunction<Config, Executor, BaseDenseHead> build,
      List<String> lossCases, String predictCase, int... epochs) {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (String id : lossCases) {
        GoldenCase c = golden(id);
        List<ImageMeta> metas = ImageMeta.listFromConfig(c.call().getList("img_metas"));
        BaseDenseHead serial = build.apply(c.config(), null);
        BaseDenseHead parallel = build.apply(c.config(), pool);
        HeadOutputs outs = outputs(c, serial.outputNames());
        List<GroundTruth> gts = gts(c, metas.size());
        for (int epoch : epochs.length == 0 ? new int[] {0} : epochs) {
          assertBitIdentical(serial.loss(outs, gts, metas, epoch), parallel.loss(outs, gts, metas, epoch),
              serial.outputNames(), serial.numLevels());
        }
      }
      if (predictCase != null) {
        GoldenCase p = golden(predictCase);
        List<ImageMeta> metas = ImageMeta.listFromConfig(p.call().getList("img_metas"));
        BaseDenseHead serial = build.apply(p.config(), null);
        HeadOutputs outs = outputs(p, serial.outputNames());
        assertSameDetections(serial.predict(outs, metas), build.apply(p.config(), pool).predict(outs, metas));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
