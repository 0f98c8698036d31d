package io.detkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class HeadMapsTest {
  private static final int LEVEL = 4;  // 7 x 10 cells
  private static final int AREA = 70;

  @Test
  void eachHeadGetsTheChannelsItsLossReads() {
    assertThat(HeadMaps.Output.REG.channels(HeadMaps.Kind.GFL)).isEqualTo(68);
    assertThat(HeadMaps.Output.CLS.channels(HeadMaps.Kind.RETINA)).isEqualTo(720);
    assertThat(HeadMaps.Kind.FCOS.outputs()).containsExactly(HeadMaps.Output.CLS, HeadMaps.Output.REG,
        HeadMaps.Output.CTR);
    assertThat(HeadMaps.Kind.TOOD.outputs()).containsExactly(HeadMaps.Output.CLS, HeadMaps.Output.REG);
  }

  @Test
  void toodGetsProbabilitiesAndBoxesAroundItsAnchors() {
    float[] probs = HeadMaps.map(HeadMaps.Kind.TOOD, HeadMaps.Output.CLS, LEVEL, 1);
    for (float p : probs) {
      assertThat(p).isStrictlyBetween(0f, 1f);
    }
    float[] boxes = HeadMaps.map(HeadMaps.Kind.TOOD, HeadMaps.Output.REG, LEVEL, 1);
    for (int p = 0; p < AREA; p++) {
      int x = p % 10;
      int y = p / 10;
      // (x1, y1, x2, y2) channels; the anchor centre (x, y) in stride units lies inside.
      assertThat(boxes[p]).isLessThan(x);
      assertThat(boxes[AREA + p]).isLessThan(y);
      assertThat(boxes[2 * AREA + p]).isGreaterThan(x);
      assertThat(boxes[3 * AREA + p]).isGreaterThan(y);
    }
  }

  @Test
  void fcosDistancesAreNonNegativeAndGflDistributionsPeak() {
    for (float d : HeadMaps.map(HeadMaps.Kind.FCOS, HeadMaps.Output.REG, LEVEL, 1)) {
      assertThat(d).isGreaterThanOrEqualTo(0f);
    }
    float[] gfl = HeadMaps.map(HeadMaps.Kind.GFL, HeadMaps.Output.REG, LEVEL, 1);
    assertThat(gfl).hasSize(68 * AREA);
    // The bump of height 4 lifts each side's best bin well above N(0, 1) noise on average.
    double best = 0;
    for (int side = 0; side < 4; side++) {
      for (int p = 0; p < AREA; p++) {
        float max = Float.NEGATIVE_INFINITY;
        for (int bin = 0; bin < 17; bin++) {
          max = Math.max(max, gfl[(side * 17 + bin) * AREA + p]);
        }
        best += max;
      }
    }
    assertThat(best / (4 * AREA)).isGreaterThan(3.0);
  }

  @Test
  void everyBenchmarkedHeadBuildsFromItsConfig() {
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      for (String head : BenchHeads.HEADS) {
        assertThat(BenchHeads.build(head, pool)).as(head).isNotNull();
        assertThat(BenchHeads.kind(head)).as(head).isNotNull();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThatThrownBy(() -> BenchHeads.kind("yolo")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("yolo");
  }
}
