package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ATSSAssignerTest {
  private static final double NONE = -ATSSAssigner.INF;

  private static INDArray boxes(float... xyxy) {
    return Tensors.create(xyxy, DataType.FLOAT, xyxy.length / 4, 4);
  }

  private static INDArray labels(long... l) {
    return Tensors.createLong(l, l.length);
  }

  /** 10x10 priors centred at (5 + 10i, 5 + 10j) on a 4x4 grid, row-major. */
  private static float[] grid() {
    float[] b = new float[16 * 4];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        int p = 4 * (y * 4 + x);
        b[p] = 10 * x;
        b[p + 1] = 10 * y;
        b[p + 2] = 10 * x + 10;
        b[p + 3] = 10 * y + 10;
      }
    }
    return b;
  }

  @Test
  void equalCandidatesAllReachTheMeanWhenTheStdIsZero() {
    // Gt centre (10,10): the four priors around it are equidistant and each has IoU 100/400 = 0.25,
    // so mean 0.25, std 0, and all four centres lie inside the gt.
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(4));
    AssignResult r = a.assign(grid(), null, new float[] {0, 0, 20, 20}, null, new int[] {6});
    int[] expected = new int[16];
    double[] ov = new double[16];
    java.util.Arrays.fill(ov, NONE);
    for (int p : new int[] {0, 1, 4, 5}) {
      expected[p] = 1;
      ov[p] = 0.25;
    }
    assertThat(r.gtInds()).containsExactly(expected);
    assertThat(r.maxOverlaps()).containsExactly(ov);
    assertThat(r.label(0)).isEqualTo(6);
    assertThat(r.label(2)).isEqualTo(-1);
  }

  @Test
  void thresholdUsesTheUnbiasedStandardDeviation() {
    // Gt [0,0,10,10]; candidate IoUs 1, 0.95, 0.5, 0.5 (priors inside the gt, closest first).
    // mean 0.7375; unbiased std 0.2748 -> threshold 1.012: nobody is positive.
    // (The biased std 0.2380 would give 0.9755 and make the first prior positive.)
    float[] priors = {0, 0, 10, 10, 0, 0, 10, 9.5f, 0, 0, 10, 5, 0, 5, 10, 10, 100, 100, 110, 110};
    double[] ious = {1, 0.95, 0.5, 0.5};
    double mean = (ious[0] + ious[1] + ious[2] + ious[3]) / 4;
    double ss = 0;
    for (double v : ious) {
      ss += (v - mean) * (v - mean);
    }
    assertThat(mean + Math.sqrt(ss / 3)).isGreaterThan(1.0);
    assertThat(mean + Math.sqrt(ss / 4)).isLessThan(1.0);
    AssignResult r = new ATSSAssigner(ATSSAssigner.Params.of(4)).assign(priors, null, new float[] {0, 0, 10, 10}, null, null);
    assertThat(r.numPositive()).isZero();
    assertThat(r.gtInds()).containsOnly(0);
    assertThat(r.maxOverlaps()).containsOnly(NONE);
    assertThat(r.hasLabels()).isFalse();
  }

  @Test
  void topkPerLevelIsCappedByTheLevelSize() {
    // Two levels: the grid (16) and a single big prior. topk=9 takes 9 + 1 candidates.
    float[] g = grid();
    float[] priors = java.util.Arrays.copyOf(g, g.length + 4);
    System.arraycopy(new float[] {0, 0, 40, 40}, 0, priors, g.length, 4);
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(9));
    int[] cand = a.topkCandidates(priors, new int[] {16, 1}, new float[] {0, 0, 40, 40}, null);
    assertThat(cand).hasSize(10);
    assertThat(cand[9]).isEqualTo(16);
    // The centre (20,20) is equidistant from the 4 inner priors; they come first in some order.
    assertThat(java.util.Arrays.copyOf(cand, 4)).containsExactlyInAnyOrder(5, 6, 9, 10);
  }

  @Test
  void centreMustBeInsideTheGtByMoreThanTheMargin() {
    // Prior centre (5,5); gt x1 = 4.995 leaves a 0.005 margin (not > 0.01); x1 = 4.98 leaves 0.02.
    float[] priors = {0, 0, 10, 10};
    AssignResult onMargin = new ATSSAssigner(ATSSAssigner.Params.of(1)).assign(priors, null,
        new float[] {4.995f, 0, 20, 20}, null, null);
    assertThat(onMargin.gtInds()).containsExactly(0);
    AssignResult inside = new ATSSAssigner(ATSSAssigner.Params.of(1)).assign(priors, null,
        new float[] {4.98f, 0, 20, 20}, null, null);
    // A single candidate has an undefined (NaN) std, so nothing is positive either way.
    assertThat(inside.gtInds()).containsExactly(0);
    AssignResult two = new ATSSAssigner(ATSSAssigner.Params.of(2)).assign(new float[] {0, 0, 10, 10, 0, 0, 10, 10}, null,
        new float[] {4.98f, 0, 20, 20}, null, null);
    assertThat(two.gtInds()).containsExactly(1, 1);
    AssignResult twoOnMargin = new ATSSAssigner(ATSSAssigner.Params.of(2)).assign(new float[] {0, 0, 10, 10, 0, 0, 10, 10}, null,
        new float[] {4.995f, 0, 20, 20}, null, null);
    assertThat(twoOnMargin.gtInds()).containsExactly(0, 0);
  }

  @Test
  void priorPositiveForTwoGtsTakesTheHigherIouAndTheFirstOnTies() {
    float[] priors = {0, 0, 10, 10, 0, 0, 10, 10};
    // Both gts contain both (identical) priors' centres; IoU 100/144 vs 100/121.
    AssignResult r = new ATSSAssigner(ATSSAssigner.Params.of(2)).assign(priors, null,
        new float[] {0, 0, 12, 12, 0, 0, 11, 11}, null, new int[] {3, 8});
    assertThat(r.gtInds()).containsExactly(2, 2);
    assertThat(r.labels()).containsExactly(8, 8);
    assertThat(r.maxOverlaps()[0]).isEqualTo(100f / 121f);
    AssignResult tie = new ATSSAssigner(ATSSAssigner.Params.of(2)).assign(priors, null,
        new float[] {0, 0, 12, 12, 0, 0, 12, 12}, null, new int[] {3, 8});
    assertThat(tie.gtInds()).containsExactly(1, 1);
  }

  @Test
  void ignoredPriorsAreMarkedAndPushedOutOfTheCandidates() {
    // Prior 5 (centre (15,15)) lies inside the ignore box: it gets distance 1e8 and gt_inds -1.
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(4).withIgnoreIofThr(0.5));
    float[] gt = {0, 0, 20, 20};
    float[] ignore = {10, 10, 20, 20};
    int[] cand = a.topkCandidates(grid(), null, gt, ignore);
    assertThat(cand).doesNotContain(5).contains(0, 1, 4);
    AssignResult r = a.assign(grid(), null, gt, ignore, new int[] {1});
    assertThat(r.gtInds()[5]).isEqualTo(-1);
    assertThat(r.numIgnored()).isEqualTo(1);
    assertThat(r.label(5)).isEqualTo(-1);
  }

  @Test
  void noGroundTruthMakesEveryPriorNegativeWithZeroOverlap() {
    AssignResult r = new ATSSAssigner(ATSSAssigner.Params.of(9)
        .withIgnoreIofThr(0.5)).assign(boxes(grid()), new int[] {16},
        Tensors.create(new float[0], DataType.FLOAT, 0, 4), boxes(0, 0, 40, 40), Tensors.createLong(new long[0], 0));
    assertThat(r.gtInds()).hasSize(16).containsOnly(0);
    assertThat(r.maxOverlaps()).containsOnly(0.0);
    assertThat(r.labels()).containsOnly(-1);
  }

  @Test
  void noPriorsGivesAnEmptyResult() {
    AssignResult r = new ATSSAssigner(ATSSAssigner.Params.of(9)).assign(Tensors.create(new float[0], DataType.FLOAT, 0, 4),
        new int[] {0, 0}, boxes(0, 0, 10, 10), null, labels(1));
    assertThat(r.size()).isZero();
    assertThat(r.numGts()).isEqualTo(1);
  }

  @Test
  void ddodWithAlphaOneAndPredictionsEqualToPriorsIsPlainAtss() {
    float[] g = grid();
    INDArray priors = boxes(g);
    INDArray gt = boxes(0, 0, 20, 20, 15, 15, 40, 40);
    float[] logits = new float[16 * 3];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (i * 37 % 11 - 5) / 3f;
    }
    INDArray cls = Tensors.create(logits, DataType.FLOAT, 16, 3);
    AssignResult plain = new ATSSAssigner(ATSSAssigner.Params.of(4)).assign(priors, null, gt, null, labels(0, 2));
    AssignResult ddod = new ATSSAssigner(ATSSAssigner.Params.of(4)
        .withAlpha(1.0)).assign(priors, null, gt, null, labels(0, 2), cls,
        priors);
    assertThat(ddod.gtInds()).containsExactly(plain.gtInds());
    assertThat(ddod.maxOverlaps()).containsExactly(plain.maxOverlaps());
  }

  @Test
  void ddodCostMultipliesScoreAndIouPowers() {
    // One gt, three identical candidates whose predicted boxes differ: the cost decides who passes.
    float[] priors = {0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10};
    float[] preds = {0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 5};
    float[] logits = {0, 0, 0}; // sigmoid 0.5 everywhere
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(3).withAlpha(0.8));
    AssignResult r = a.assign(priors, null, new float[] {0, 0, 10, 10}, null, new int[] {0}, logits, 1, preds);
    // Costs: 0.5^0.2 * 1^0.8 = 0.8706 and 0.5^0.2 * 0.5^0.8 = 0.5 (twice);
    // threshold = mean 0.6235 + unbiased std 0.2140 = 0.8375.
    assertThat(r.gtInds()).containsExactly(1, 0, 0);
    assertThat(r.maxOverlaps()[0]).isCloseTo(Math.pow(0.5, 0.2), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.maxOverlaps()[1]).isEqualTo(NONE);
  }

  @Test
  void ddodNeedsScoresPredictionsAndValidLabels() {
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(2).withAlpha(0.8));
    float[] priors = {0, 0, 10, 10};
    float[] gt = {0, 0, 10, 10};
    assertThatThrownBy(() -> a.assign(priors, null, gt, null, new int[] {0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cls_scores and bbox_preds");
    assertThatThrownBy(() -> a.assign(priors, null, gt, null, new int[] {3}, new float[] {0, 0}, 2, priors))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels[0]");
    assertThatThrownBy(() -> a.assign(priors, null, gt, null, null, new float[] {0, 0}, 2, priors))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels");
  }

  @Test
  void invalidInputsAreRejected() {
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(9));
    assertThatThrownBy(() -> a.assign(grid(), new int[] {10, 5}, new float[] {0, 0, 1, 1}, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_level_bboxes");
    assertThatThrownBy(() -> a.assign(grid(), null, new float[] {0, 0, 1, 1, 5, 5, 5, 4}, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_bboxes row 1");
    assertThatThrownBy(() -> a.assign(grid(), null, new float[] {0, 0, 1, Float.NaN}, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_bboxes row 0 must be finite");
    assertThatThrownBy(() -> ATSSAssigner.Params.of(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topk");
  }

  @Test
  void float64PathAgreesOnAnOrdinaryCase() {
    float[] g = grid();
    double[] gd = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      gd[i] = g[i];
    }
    ATSSAssigner a = new ATSSAssigner(ATSSAssigner.Params.of(4));
    AssignResult f = a.assign(g, null, new float[] {0, 0, 20, 20, 20, 20, 40, 40}, null, null);
    AssignResult d = a.assign(gd, null, new double[] {0, 0, 20, 20, 20, 20, 40, 40}, null, null);
    assertThat(d.gtInds()).containsExactly(f.gtInds());
    assertThat(f.numPositive()).isEqualTo(8);
  }
}
