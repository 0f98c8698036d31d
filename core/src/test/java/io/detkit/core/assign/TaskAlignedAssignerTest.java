package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TaskAlignedAssignerTest {
  private static final double NONE = -TaskAlignedAssigner.INF;
  private static final float[] GT = {0, 0, 10, 10};

  /**
   * Four priors against gt [0,0,10,10] (class 0), one class:
   * A: anchor on the gt, predicts the gt exactly, score 0.5 -> IoU 1, metric 0.5;
   * B: anchor on the gt, predicts its upper half, score 1 -> IoU 0.5, metric 0.5^6 = 0.015625;
   * C: anchor centre (25,25) outside the gt, predicts the gt, score 0.9 -> metric 0.9 (largest);
   * D: anchor on the gt, predicts a far box, score 1 -> IoU 0, metric 0.
   */
  private static final float[] SCORES = {0.5f, 1f, 0.9f, 1f};
  private static final float[] PRED = {0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 10, 50, 50, 60, 60};
  private static final float[] ANCHORS = {0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30, 0, 0, 10, 10};

  @Test
  void positivesAreCandidatesWithAPositiveMetricAndTheAnchorCentreInside() {
    TaskAlignedAssignResult r = TaskAlignedAssigner.of(4).assign(SCORES, 1, PRED, ANCHORS, GT, new int[] {0},
        1, 6);
    AssignResult a = r.assignResult();
    assertThat(a.gtInds()).containsExactly(1, 1, 0, 0);
    assertThat(a.maxOverlaps()).containsExactly(1, 0.5, NONE, NONE);
    assertThat(a.labels()).containsExactly(0, 0, -1, -1);
    assertThat(r.assignMetrics()).containsExactly(0.5, 0.015625, 0, 0);
    // Candidates in torch.topk order: largest metric first.
    assertThat(r.candidatesArray().toLongVector()).containsExactly(2, 0, 1, 3);
  }

  @Test
  void topkPicksCandidatesBeforeTheCentreTest() {
    // With topk=1 the only candidate is C (largest metric), whose anchor centre is outside: no positive.
    AssignResult a = TaskAlignedAssigner.of(1).assign(SCORES, 1, PRED, ANCHORS, GT, new int[] {0}, 1, 6)
        .assignResult();
    assertThat(a.gtInds()).containsExactly(0, 0, 0, 0);
    assertThat(a.maxOverlaps()).containsExactly(NONE, NONE, NONE, NONE);
  }

  @Test
  void betaZeroMakesAZeroIouCandidatePositive() {
    // 0^0 = 1 in torch: D's metric becomes its score 1, and its anchor centre is inside the gt.
    TaskAlignedAssignResult r = TaskAlignedAssigner.of(4).assign(SCORES, 1, PRED, ANCHORS, GT, new int[] {0}, 1, 0);
    assertThat(r.assignResult().gtInds()).containsExactly(1, 1, 0, 1);
    assertThat(r.assignResult().maxOverlaps()[3]).isEqualTo(0.0);
    assertThat(r.assignMetrics()).containsExactly(0.5, 1, 0, 1);
  }

  @Test
  void noGroundTruthMakesEveryPriorNegativeWithOverlapZero() {
    TaskAlignedAssignResult r = TaskAlignedAssigner.of(13).assign(SCORES, 1, PRED, ANCHORS, new float[0], new int[0],
        1, 6);
    assertThat(r.assignResult().gtInds()).containsExactly(0, 0, 0, 0);
    assertThat(r.assignResult().maxOverlaps()).containsExactly(0, 0, 0, 0);
    assertThat(r.assignResult().labels()).containsExactly(-1, -1, -1, -1);
    assertThat(r.assignMetrics()).containsExactly(0, 0, 0, 0);
    assertThat(r.candidatesArray().length()).isZero();
    // Without gts MMDetection never indexes the scores by label, so no labels is fine too.
    assertThat(TaskAlignedAssigner.of(13).assign(SCORES, 1, PRED, ANCHORS, new float[0], null, 1, 6)
        .assignResult().hasLabels()).isFalse();
  }

  @Test
  void equalIousBetweenGtsGoToTheFirstGtEvenWithALowerMetric() {
    // Two copies of the gt with classes 0 and 1; class 1 scores higher, but the IoU decides and ties
    // keep the first gt.
    float[] scores = {0.2f, 0.8f};
    float[] gts = {0, 0, 10, 10, 0, 0, 10, 10};
    TaskAlignedAssignResult r = TaskAlignedAssigner.of(1).assign(scores, 2, new float[] {0, 0, 10, 10},
        new float[] {0, 0, 10, 10}, gts, new int[] {0, 1}, 1, 6);
    assertThat(r.assignResult().gtInds()).containsExactly(1);
    assertThat(r.assignResult().labels()).containsExactly(0);
    assertThat(r.assignMetrics()[0]).isEqualTo((double) 0.2f);
  }

  @Test
  void equalMetricsBeyondTopkKeepTorchsChoice() {
    // Five identical predictions: every metric ties. Which two torch.topk keeps is its nth_element's
    // choice (the replay is checked against torch by the golden case ties_duplicate_preds_and_gts);
    // here: exactly topk of the tied priors become positive, never more.
    float[] scores = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    float[] boxes = new float[20];
    for (int i = 0; i < 5; i++) {
      System.arraycopy(GT, 0, boxes, 4 * i, 4);
    }
    AssignResult a = TaskAlignedAssigner.of(2).assign(scores, 1, boxes, boxes, GT, new int[] {0}, 1, 6)
        .assignResult();
    assertThat(a.numPositive()).isEqualTo(2);
    assertThat(a.numNegative()).isEqualTo(3);
  }

  @Test
  void float64InputsGiveTheSameAssignment() {
    TaskAlignedAssigner t = TaskAlignedAssigner.of(4);
    INDArray s = Tensors.create(SCORES, DataType.DOUBLE, 4, 1);
    INDArray p = Tensors.create(PRED, DataType.DOUBLE, 4, 4);
    INDArray an = Tensors.create(ANCHORS, DataType.DOUBLE, 4, 4);
    INDArray g = Tensors.create(GT, DataType.DOUBLE, 1, 4);
    TaskAlignedAssignResult r = t.assign(s, p, an, g, Tensors.createLong(new long[] {0}, 1), 1, 6);
    assertThat(r.assignResult().gtInds()).containsExactly(1, 1, 0, 0);
    assertThat(r.assignMetrics()).containsExactly(0.5, 0.015625, 0, 0);
    assertThat(r.alignmentMetricsArray(DataType.DOUBLE).dataType()).isEqualTo(DataType.DOUBLE);
  }

  @Test
  void badArgumentsAreRefusedWithTheirName() {
    TaskAlignedAssigner t = TaskAlignedAssigner.of(4);
    assertThatThrownBy(() -> t.assign(SCORES, 1, PRED, ANCHORS, GT, null, 1, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels");
    assertThatThrownBy(() -> t.assign(SCORES, 1, PRED, ANCHORS, GT, new int[] {1}, 1, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels[0]");
    assertThatThrownBy(() -> t.assign(new float[] {0.5f, 1.5f, 0, 0}, 1, PRED, ANCHORS, GT, new int[] {0}, 1, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pred_scores");
    assertThatThrownBy(() -> t.assign(SCORES, 1, PRED, new float[8], GT, new int[] {0}, 1, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anchors");
    assertThatThrownBy(() -> t.assign(SCORES, 1, PRED, ANCHORS, GT, new int[] {0}, Double.NaN, 6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
    assertThatThrownBy(() -> t.assign(null, null, null, null, null))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("pred_scores");
    assertThatThrownBy(() -> TaskAlignedAssigner.of(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topk");
  }

  @Test
  void builtFromItsConfigUnderMmdetectionsName() {
    BaseAssigner a = CoreRegistries.buildAssigner(Config.of("type", "TaskAlignedAssigner", "topk", 9));
    assertThat(a).isInstanceOf(TaskAlignedAssigner.class);
    assertThat(((TaskAlignedAssigner) a).topk()).isEqualTo(9);
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "TaskAlignedAssigner", "topk", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("topk");
    // alpha and beta belong to TOOD's train_cfg, not to the assigner.
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "TaskAlignedAssigner", "topk", 9, "alpha", 1)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("alpha");
  }
}
