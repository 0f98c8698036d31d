package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.PyTuple;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class MaxIoUAssignerTest {
  private static MaxIoUAssigner retina() {
    return new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0));
  }

  private static INDArray boxes(float... xyxy) {
    return Tensors.create(xyxy, DataType.FLOAT, xyxy.length / 4, 4);
  }

  private static INDArray labels(long... l) {
    return Tensors.createLong(l, l.length);
  }

  @Test
  void positiveAboveThresholdAndNegativeBelow() {
    // IoU([0,0,10,10], [0,0,10,9]) = 90/100; the second prior does not touch the gt.
    MaxIoUAssigner a = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.5));
    AssignResult r = a.assign(boxes(0, 0, 10, 10, 10, 10, 20, 20), boxes(0, 0, 10, 9), null, labels(7));
    assertThat(r.gtInds()).containsExactly(1, 0);
    assertThat(r.maxOverlaps()).containsExactly(0.9f, 0.0);
    assertThat(r.labels()).containsExactly(7, -1);
    assertThat(r.numGts()).isEqualTo(1);
  }

  @Test
  void betweenThresholdsIsIgnoredUnlessLowQualityMatchPicksIt() {
    // IoU = 45/100: neither negative (< 0.4) nor positive (>= 0.5).
    INDArray priors = boxes(0, 0, 10, 10, 50, 50, 60, 60);
    INDArray gt = boxes(0, 0, 10, 4.5f);
    AssignResult noLq = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMatchLowQuality(false))
        .assign(priors, gt, null, null);
    assertThat(noLq.gtInds()).containsExactly(-1, 0);
    assertThat(noLq.hasLabels()).isFalse();
    AssignResult lq = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0.3))
        .assign(priors, gt, null, null);
    assertThat(lq.gtInds()).containsExactly(1, 0);
    AssignResult tooLow = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0.46))
        .assign(priors, gt, null, null);
    assertThat(tooLow.gtInds()).containsExactly(-1, 0);
  }

  @Test
  void noGroundTruthMakesEveryPriorNegativeEvenInsideIgnoreBoxes() {
    MaxIoUAssigner a = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withIgnoreIofThr(0.5));
    INDArray priors = boxes(0, 0, 10, 10, 5, 5, 15, 15);
    AssignResult r = a.assign(priors, Tensors.create(new float[0], DataType.FLOAT, 0, 4), boxes(0, 0, 20, 20),
        Tensors.createLong(new long[0], 0));
    assertThat(r.gtInds()).containsExactly(0, 0);
    assertThat(r.maxOverlaps()).containsExactly(0.0, 0.0);
    assertThat(r.labels()).containsExactly(-1, -1);
    assertThat(r.numGts()).isZero();
  }

  @Test
  void noPriorsGivesAnEmptyResult() {
    AssignResult r = retina().assign(Tensors.create(new float[0], DataType.FLOAT, 0, 4), boxes(0, 0, 10, 10), null,
        labels(3));
    assertThat(r.size()).isZero();
    assertThat(r.numGts()).isEqualTo(1);
    assertThat(r.labels()).isEmpty();
  }

  @Test
  void invalidGroundTruthRowsAreRejectedByRow() {
    INDArray priors = boxes(0, 0, 10, 10);
    assertThatThrownBy(() -> retina().assign(priors, boxes(0, 0, 10, 10, 8, 0, 4, 10), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gt_bboxes row 1")
        .hasMessageContaining("x1 <= x2");
    assertThatThrownBy(() -> retina().assign(priors, boxes(0, Float.NaN, 10, 10), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gt_bboxes row 0 must be finite");
    assertThatThrownBy(() -> retina().assign(priors, boxes(0, 0, Float.POSITIVE_INFINITY, 10), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gt_bboxes row 0 must be finite");
    assertThatThrownBy(() -> retina().assign(priors, boxes(0, 0, 10, 10), null, labels(1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gt_labels");
    assertThatThrownBy(() -> retina().assign(Tensors.create(new float[6], DataType.FLOAT, 2, 3), boxes(0, 0, 1, 1),
        null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bboxes must be [N,4]")
        .hasMessageContaining("[2,3]");
  }

  @Test
  void equalOverlapGoesToTheFirstGtThenLowQualityMatchingLetsTheLaterGtOverwrite() {
    INDArray priors = boxes(0, 0, 10, 10, 30, 30, 40, 40);
    INDArray twins = boxes(0, 0, 10, 8, 0, 0, 10, 8); // IoU 0.8 with prior 0, for both gts
    AssignResult noLq = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMatchLowQuality(false))
        .assign(priors, twins, null, labels(4, 9));
    assertThat(noLq.gtInds()).containsExactly(1, 0);
    assertThat(noLq.labels()).containsExactly(4, -1);
    AssignResult lq = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0.1))
        .assign(priors, twins, null, labels(4, 9));
    assertThat(lq.gtInds()).containsExactly(2, 0);
    assertThat(lq.labels()).containsExactly(9, -1);
    assertThat(lq.maxOverlaps()).containsExactly(0.8f, 0.0);
  }

  @Test
  void lowQualityMatchStealsAPriorFromItsBestGt() {
    // Prior 0: IoU 0.9 with gt 0 (positive for gt 0), 0.3 with gt 1, which overlaps nothing else.
    // Gt 1's best prior is prior 0, so the low-quality step reassigns prior 0 to gt 1.
    INDArray priors = boxes(0, 0, 10, 10, 100, 100, 110, 110);
    INDArray gts = boxes(0, 0, 10, 9, 0, 0, 10, 3);
    AssignResult r = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMinPosIou(0.2))
        .assign(priors, gts, null, null);
    assertThat(r.gtInds()).containsExactly(2, 0);
    assertThat(r.maxOverlaps()[0]).isEqualTo(0.9f);
  }

  @Test
  void gtMaxAssignAllFalseTakesOnlyTheFirstOfTiedBestPriors() {
    INDArray priors = boxes(0, 0, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60);
    INDArray gt = boxes(0, 0, 10, 3); // IoU 0.3 with both duplicates
    AssignResult all = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.2).withMinPosIou(0.1))
        .assign(priors, gt, null, null);
    assertThat(all.gtInds()).containsExactly(1, 1, 0);
    AssignResult first = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.2)
        .withMinPosIou(0.1).withGtMaxAssignAll(false)).assign(priors, gt, null, null);
    assertThat(first.gtInds()).containsExactly(1, -1, 0);
  }

  @Test
  void minPosIouZeroMakesEveryZeroOverlapPriorPositiveForAGtThatOverlapsNothing() {
    // Gt 0 lies far away from all priors; gt 1 covers prior 0 exactly.
    INDArray priors = boxes(0, 0, 10, 10, 20, 0, 30, 10, 40, 0, 50, 10);
    INDArray gts = boxes(500, 500, 510, 510, 0, 0, 10, 10);
    AssignResult r = retina().assign(priors, gts, null, labels(3, 5));
    // Low-quality step for gt 0: max IoU 0 >= 0, every prior with IoU exactly 0 to it -> gt 0.
    // Then gt 1 (max 1.0) overwrites prior 0.
    assertThat(r.gtInds()).containsExactly(2, 1, 1);
    assertThat(r.labels()).containsExactly(5, 3, 3);
    assertThat(r.maxOverlaps()).containsExactly(1.0, 0.0, 0.0);
  }

  @Test
  void tupleNegativeRangeLeavesLowOverlapsIgnored() {
    // Heights chosen for IoUs 0.05, 0.2, 0.45, 0.6 with the gt [0,0,10,10] (priors inside it).
    INDArray priors = boxes(0, 0, 10, 0.5f, 0, 0, 10, 2, 0, 0, 10, 4.5f, 0, 0, 10, 6);
    INDArray gt = boxes(0, 0, 10, 10);
    MaxIoUAssigner range = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withNegIouRange(0.1, 0.4)
        .withMatchLowQuality(false));
    assertThat(range.assign(priors, gt, null, null).gtInds()).containsExactly(-1, 0, -1, 1);
    MaxIoUAssigner below = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withMatchLowQuality(false));
    assertThat(below.assign(priors, gt, null, null).gtInds()).containsExactly(0, 0, -1, 1);
  }

  @Test
  void intOrListNegIouThrFromConfigSelectsNoNegativesLikeMmdetection() {
    INDArray priors = boxes(0, 0, 10, 0.5f, 0, 0, 10, 6);
    INDArray gt = boxes(0, 0, 10, 10);
    for (Object neg : new Object[] {0L, List.of(0.1, 0.4), null}) {
      BaseAssigner a = CoreRegistries.BBOX_ASSIGNERS.build(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
          "neg_iou_thr", neg, "match_low_quality", false));
      assertThat(((MaxIoUAssigner) a).params().negativeRule()).isEqualTo(MaxIoUAssigner.NegativeRule.NONE);
      assertThat(a.assign(priors, gt, null, null).gtInds()).as("neg_iou_thr=%s", neg).containsExactly(-1, 1);
    }
    BaseAssigner tuple = CoreRegistries.BBOX_ASSIGNERS.build(Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5,
        "neg_iou_thr", PyTuple.of(List.of(0L, 0.4)), "match_low_quality", false));
    assertThat(tuple.assign(priors, gt, null, null).gtInds()).containsExactly(0, 1);
  }

  @Test
  void priorsMostlyInsideAnIgnoreBoxAreIgnoredWithOverlapMinusOne() {
    // Prior 1 lies inside the ignore box (IoF 1); prior 2 is half inside (IoF 0.5, not > 0.5).
    INDArray priors = boxes(0, 0, 10, 10, 100, 100, 110, 110, 95, 100, 105, 110);
    INDArray gt = boxes(0, 0, 10, 10);
    INDArray ignore = boxes(100, 90, 130, 130);
    MaxIoUAssigner a = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withIgnoreIofThr(0.5));
    AssignResult r = a.assign(priors, gt, ignore, labels(2));
    assertThat(r.gtInds()).containsExactly(1, -1, 0);
    assertThat(r.maxOverlaps()).containsExactly(1.0, -1.0, 0.0);
    assertThat(r.labels()).containsExactly(2, -1, -1);
    // Disabled (ignore_iof_thr <= 0): ignore boxes have no effect.
    AssignResult off = retina().assign(priors, gt, ignore, labels(2));
    assertThat(off.gtInds()).containsExactly(1, 0, 0);
  }

  @Test
  void ignoreWithRespectToIgnoreBoxDividesByTheIgnoreArea() {
    // Prior [0,0,100,100] fully covers a small ignore box: IoF over the prior is 0.01, over the ignore box 1.
    INDArray priors = boxes(0, 0, 100, 100, 200, 200, 210, 210);
    INDArray gt = boxes(200, 200, 210, 210);
    INDArray ignore = boxes(10, 10, 20, 20);
    MaxIoUAssigner wrtPrior = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4).withIgnoreIofThr(0.5));
    assertThat(wrtPrior.assign(priors, gt, ignore, null).gtInds()).containsExactly(0, 1);
    MaxIoUAssigner wrtIgnore = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4)
        .withIgnoreIofThr(0.5).withIgnoreWrtCandidates(false));
    assertThat(wrtIgnore.assign(priors, gt, ignore, null).gtInds()).containsExactly(-1, 1);
  }

  @Test
  void degenerateZeroAreaPriorOverlapsNothing() {
    INDArray priors = boxes(5, 5, 5, 5, 0, 0, 10, 10);
    AssignResult r = retina().assign(priors, boxes(0, 0, 10, 10), null, null);
    assertThat(r.gtInds()).containsExactly(0, 1);
    assertThat(r.maxOverlaps()).containsExactly(0.0, 1.0);
  }

  @Test
  void fifthScoreColumnIsIgnored() {
    INDArray four = boxes(0, 0, 10, 10, 10, 10, 20, 20);
    INDArray five = Tensors.create(new float[] {0, 0, 10, 10, 0.9f, 10, 10, 20, 20, 0.1f}, DataType.FLOAT, 2, 5);
    INDArray gt = boxes(0, 0, 10, 9);
    AssignResult a = retina().assign(four, gt, null, labels(1));
    AssignResult b = retina().assign(five, gt, null, labels(1));
    assertThat(b.gtInds()).containsExactly(a.gtInds());
    assertThat(b.maxOverlaps()).containsExactly(a.maxOverlaps());
  }

  @Test
  void float32ComparesWithTheThresholdRoundedToFloat32() {
    float iou = 0.7f; // 0.699999988..., below the double 0.7
    MaxIoUAssigner a = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.7, 0.3).withMatchLowQuality(false));
    assertThat(a.assignWrtOverlaps(new float[] {iou}, 1, 1, null).gtInds()).containsExactly(1);
    assertThat(a.assignWrtOverlaps(new double[] {iou}, 1, 1, null).gtInds()).containsExactly(-1);
  }

  @Test
  void float64InputsComputeInFloat64() {
    INDArray priors = Tensors.create(new double[] {0, 0, 10, 10, 10, 10, 20, 20}, DataType.DOUBLE, 2, 4);
    INDArray gt = Tensors.create(new double[] {0, 0, 10, 9}, DataType.DOUBLE, 1, 4);
    AssignResult r = retina().assign(priors, gt, null, null);
    assertThat(r.gtInds()).containsExactly(1, 0);
    assertThat(r.maxOverlaps()[0]).isEqualTo(0.9);
    assertThat(r.maxOverlapsArray(DataType.DOUBLE).dataType()).isEqualTo(DataType.DOUBLE);
  }

  @Test
  void assignWrtOverlapsChecksTheMatrixSize() {
    assertThatThrownBy(() -> retina().assignWrtOverlaps(new float[5], 2, 3, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 x 3");
  }

  @Test
  void levelCountsMustAddUp() {
    INDArray priors = boxes(0, 0, 10, 10, 10, 10, 20, 20);
    assertThat(retina().assign(priors, new int[] {1, 1}, boxes(0, 0, 10, 9), null, null).gtInds())
        .containsExactly(1, 0);
    assertThatThrownBy(() -> retina().assign(priors, new int[] {3}, boxes(0, 0, 10, 9), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num_level_bboxes");
  }

  @Test
  void paramsRequireBothThresholds() {
    assertThatThrownBy(() -> MaxIoUAssigner.Params.of(Double.NaN, 0.4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pos_iou_thr");
    assertThatThrownBy(() -> MaxIoUAssigner.Params.of(0.4, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neg_iou_thr");
  }
}
