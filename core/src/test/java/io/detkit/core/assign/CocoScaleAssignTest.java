package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.testing.RandomBoxes;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RetinaNet-sized inputs (about 200k anchors on a 1333x800 image, 100 gts): runs both assigners to
 * completion under the test JVM's heap. MaxIoU holds one 100 x 200k float32 overlap matrix; ATSS
 * stays linear in the number of anchors. Not timed.
 */
class CocoScaleAssignTest {
  private static final int[] STRIDES = {8, 16, 32, 64, 128};

  private static float[] anchors(int[] levelCounts) {
    int total = 0;
    int[][] grids = new int[STRIDES.length][];
    for (int l = 0; l < STRIDES.length; l++) {
      int h = (800 + STRIDES[l] - 1) / STRIDES[l];
      int w = (1333 + STRIDES[l] - 1) / STRIDES[l];
      grids[l] = new int[] {h, w};
      levelCounts[l] = h * w * 9;
      total += levelCounts[l];
    }
    float[] out = new float[4 * total];
    int p = 0;
    for (int l = 0; l < STRIDES.length; l++) {
      int s = STRIDES[l];
      for (int y = 0; y < grids[l][0]; y++) {
        for (int x = 0; x < grids[l][1]; x++) {
          for (double ratio : new double[] {0.5, 1, 2}) {
            for (double scale : new double[] {1, Math.pow(2, 1 / 3.0), Math.pow(2, 2 / 3.0)}) {
              double size = 4 * s * scale;
              double hw = size / Math.sqrt(ratio) / 2;
              double hh = size * Math.sqrt(ratio) / 2;
              out[p++] = (float) (x * s - hw);
              out[p++] = (float) (y * s - hh);
              out[p++] = (float) (x * s + hw);
              out[p++] = (float) (y * s + hh);
            }
          }
        }
      }
    }
    return out;
  }

  private static float[] gts(int k) {
    Random rnd = new Random(3);
    return RandomBoxes.floats(rnd, k, 1200, 700, 8, 300);
  }

  @Test
  void assignersHandleCocoScaleInputs() {
    int[] levels = new int[STRIDES.length];
    float[] anchors = anchors(levels);
    int n = anchors.length / 4;
    assertThat(n).isGreaterThan(180_000);
    float[] gt = gts(100);
    int[] labels = new int[100];

    AssignResult maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0))
        .assign(anchors, gt, null, labels);
    assertThat(maxIou.size()).isEqualTo(n);
    assertThat(maxIou.numPositive()).isGreaterThanOrEqualTo(100);
    assertThat(maxIou.numPositive() + maxIou.numNegative() + maxIou.numIgnored()).isEqualTo(n);

    AssignResult atss = new ATSSAssigner(ATSSAssigner.Params.of(9)).assign(anchors, levels, gt, null, labels);
    assertThat(atss.size()).isEqualTo(n);
    assertThat(atss.numPositive()).isGreaterThan(100);
    assertThat(atss.numIgnored()).isZero();
    int[] cand = new ATSSAssigner(ATSSAssigner.Params.of(9)).topkCandidates(anchors, levels, gt, null);
    assertThat(cand).hasSize(9 * STRIDES.length * 100);
  }
}
