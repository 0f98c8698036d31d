package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.precision.Precision;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** NCHW to anchor rows, anchor_inside_flags, unmap, per-level counts and score ranking. */
class LayoutAndAnchorUtilsTest {
  @Test
  void rowsFollowPermute0231() {
    // n=1, A=2 anchors x k=3 channels, H=1, W=2: channel ch of location p is nchw[ch*2 + p].
    double[] nchw = new double[12];
    for (int ch = 0; ch < 6; ch++) {
      for (int p = 0; p < 2; p++) {
        nchw[ch * 2 + p] = 10 * ch + p;
      }
    }
    double[] rows = Layout.toRows(nchw, 1, 2, 3, 1, 2);
    // Row (p*A + a) holds channels a*k .. a*k+2 of location p.
    assertThat(rows).containsExactly(0, 10, 20, 30, 40, 50, 1, 11, 21, 31, 41, 51);
  }

  @Property(tries = 50)
  void fromRowsInvertsToRows(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 3) int a,
      @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 4) int h,
      @ForAll @IntRange(min = 1, max = 4) int w) {
    double[] x = new double[n * a * k * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = i * 0.5 - 3;
    }
    assertThat(Layout.fromRows(Layout.toRows(x, n, a, k, h, w), n, a, k, h, w)).containsExactly(x);
  }

  @Test
  void insideFlagsUseImgShapeAndTheBorder() {
    double[] anchors = {-8, -8, 8, 8, 8, 8, 24, 24, 0, 0, 32, 16};
    boolean[] valid = {true, true, false};
    ImageMeta meta = ImageMeta.ofSize(24, 32);
    assertThat(AnchorUtils.insideFlags(anchors, valid, meta, -1)).containsExactly(true, true, false);
    // (8,8,24,24) ends at y2 = 24, not < img_h 24; the third is not valid at all.
    assertThat(AnchorUtils.insideFlags(anchors, valid, meta, 0)).containsExactly(false, false, false);
    assertThat(AnchorUtils.insideFlags(anchors, valid, meta, 1)).containsExactly(false, true, false);
    assertThat(AnchorUtils.insideFlags(anchors, valid, meta, 8)).containsExactly(true, true, false);
    assertThatThrownBy(() -> AnchorUtils.insideFlags(anchors, new boolean[2], meta, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one valid flag per anchor");
  }

  @Test
  void unmapFillsOutsideAnchors() {
    boolean[] inside = {false, true, true, false};
    assertThat(AnchorUtils.unmap(new int[] {0, 2}, inside, 5)).containsExactly(5, 0, 2, 5);
    assertThat(AnchorUtils.unmap(new double[] {1, 2, 3, 4}, 2, inside, 0)).containsExactly(0, 0, 1, 2, 3, 4, 0, 0);
    assertThatThrownBy(() -> AnchorUtils.unmap(new int[] {1}, inside, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one row per inside anchor (2); got 1");
  }

  @Test
  void levelCountsOfInsideAnchors() {
    boolean[] inside = {true, false, true, true, false, false};
    assertThat(AnchorUtils.numLevelInside(new int[] {3, 2, 1}, inside)).containsExactly(2, 1, 0);
    assertThat(AnchorUtils.indicesOf(inside)).containsExactly(0, 2, 3);
    assertThatThrownBy(() -> AnchorUtils.numLevelInside(new int[] {3, 2}, inside))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 5");
  }

  @Test
  void pythonSliceEnds() {
    assertThat(Predictor.pythonSliceEnd(1000, 7)).isEqualTo(7);
    assertThat(Predictor.pythonSliceEnd(3, 7)).isEqualTo(3);
    assertThat(Predictor.pythonSliceEnd(-1, 7)).isEqualTo(6);
    assertThat(Predictor.pythonSliceEnd(-1, 0)).isZero();
    assertThat(Predictor.pythonSliceEnd(0, 7)).isZero();
  }

  @Test
  void centernessOfAnAnchorCentreInsideItsGt() {
    // Centre (16,16) in (0,0,40,24): left 16, right 24, top 16, bottom 8.
    double c = ATSSHead.centerness(new double[] {8, 8, 24, 24}, new double[] {0, 0, 40, 24}, 0,
        Precision.of(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
    assertThat(c).isEqualTo(Math.sqrt(16.0 / 24 * 8.0 / 16));
    double f = ATSSHead.centerness(new double[] {8, 8, 24, 24}, new double[] {0, 0, 40, 24}, 0,
        Precision.of(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    assertThat(f).isEqualTo((double) (float) Math.sqrt(16.0f / 24.0f * 0.5f));
  }
}
