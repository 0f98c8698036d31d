package io.detkit.heads.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.core.reliability.Concurrency;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * RetinaHead and ATSSHead give bit-for-bit the same targets, losses and gradients whether the
 * per-image work runs in the caller's thread or on 1, 2 or 8 worker threads, from run to run, and
 * when one head is shared by 8 callers at once.
 */
class HeadsDeterminismTest {
  private static final ExecutorService ONE = Executors.newFixedThreadPool(1);
  private static final ExecutorService TWO = Executors.newFixedThreadPool(2);
  private static final ExecutorService EIGHT = Executors.newFixedThreadPool(8);
  private static final int IMAGES = 8;
  private static final int H = 64;
  private static final int W = 96;

  @AfterAll
  static void shutdown() {
    ONE.shutdownNow();
    TWO.shutdownNow();
    EIGHT.shutdownNow();
  }

  private static Config config(String type) {
    return type.equals("ATSSHead") ? HeadFixtures.ATSS : HeadFixtures.RETINA;
  }

  private static List<GroundTruth> gts() {
    List<GroundTruth> g = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      // Image 2 has no ground truth at all.
      g.add(HeadFixtures.gts(i == 2 ? 0 : 3 + i, H, W, DataType.FLOAT, 100 + i));
    }
    return g;
  }

  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead", "ATSSHead"})
  void targetsLossesAndGradientsDoNotDependOnTheThreadCount(String type) {
    AnchorHead serial = HeadFixtures.build(config(type), null);
    HeadOutputs outs = HeadFixtures.outputs(serial, IMAGES, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 4, 1);
    List<GroundTruth> gts = gts();
    List<ImageMeta> metas = HeadFixtures.metas(IMAGES, H, W);
    String reference = HeadFixtures.fingerprint(serial.loss(outs, gts, metas));
    assertThat(reference).contains("pos=");
    assertThat(HeadFixtures.fingerprint(serial.loss(outs, gts, metas))).as("a second run").isEqualTo(reference);
    for (ExecutorService pool : new ExecutorService[] {ONE, TWO, EIGHT}) {
      AnchorHead head = HeadFixtures.build(config(type), pool);
      assertThat(HeadFixtures.fingerprint(head.loss(outs, gts, metas))).as("%s on %s", type, pool)
          .isEqualTo(reference);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RetinaHead", "ATSSHead"})
  void oneHeadSharedByEightCallersGivesEachTheSerialResult(String type) {
    AnchorHead head = HeadFixtures.build(config(type), EIGHT);
    HeadOutputs outs = HeadFixtures.outputs(head, IMAGES, HeadFixtures.featmapSizes(H, W), DataType.FLOAT, 4, 2);
    List<GroundTruth> gts = gts();
    List<ImageMeta> metas = HeadFixtures.metas(IMAGES, H, W);
    String reference = HeadFixtures.fingerprint(HeadFixtures.build(config(type), null).loss(outs, gts, metas));
    List<String> all = Concurrency.runTogether(8, 1, () -> HeadFixtures.fingerprint(head.loss(outs, gts, metas)));
    assertThat(all).hasSize(8).allMatch(reference::equals);
  }
}
