package io.detkit.heads;

import static io.detkit.heads.Tiny.EPS;
import static io.detkit.heads.Tiny.LN2;
import static io.detkit.heads.Tiny.boxes;
import static io.detkit.heads.Tiny.doubles;
import static io.detkit.heads.Tiny.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Targets and losses of the corner cases, on {@link Tiny}'s four anchors
 * {@code (-8,-8,8,8), (8,-8,24,8), (-8,8,8,24), (8,8,24,24)}, with logits 0 (sigmoid CE costs ln 2
 * per anchor whatever the label) so every value is computed by hand.
 */
class AnchorHeadEdgeCaseTest {
  private static final double TOL = 1e-6;

  @Test
  void imageWithoutGroundTruthHasOnlyNegativesAndFiniteLosses() {
    AnchorHead head = Tiny.head(-1, 0.0, -1);
    HeadLoss loss = head.loss(Tiny.outputs(1, 0.0, 0.3), List.of(Tiny.noGt()), List.of(Tiny.meta(32, 32)));

    HeadTargets t = loss.targets().orElseThrow();
    assertThat(t.labelsData(0)).containsExactly(1, 1, 1, 1);
    assertThat(t.labelWeightsData(0)).containsExactly(1, 1, 1, 1);
    assertThat(t.bboxWeightsData(0)).containsOnly(0.0);
    // An image without positives still counts one: avg_factor is max(0, 1) = 1.
    assertThat(t.numTotalPos()).isEqualTo(1);
    assertThat(t.numTotalNeg()).isEqualTo(4);
    assertThat(loss.get("loss_cls", 0)).isCloseTo(4 * LN2 / (1 + EPS), within(TOL));
    assertThat(loss.get("loss_bbox", 0)).isZero();
    assertThat(loss.total()).isFinite();
    double g = 0.5 / (1 + EPS);
    assertThat(doubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0))).containsExactly(new double[] {g, g, g, g},
        within(TOL));
    assertThat(doubles(loss.grads().get(HeadOutputs.BBOX_PREDS, 0))).containsOnly(0.0);
  }

  @Test
  void gtOnAnAnchorMakesItThePositiveWithZeroDeltaTarget() {
    AnchorHead head = Tiny.head(-1, 0.0, -1);
    GroundTruth gt = GroundTruth.of(boxes(8, 8, 24, 24), labels(0));
    HeadLoss loss = head.loss(Tiny.outputs(1, 0.0, 0.5), List.of(gt), List.of(Tiny.meta(32, 32)));

    HeadTargets t = loss.targets().orElseThrow();
    assertThat(t.labelsData(0)).containsExactly(1, 1, 1, 0);
    assertThat(t.bboxTargetsData(0)).containsOnly(0.0);
    assertThat(t.bboxWeightsData(0)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1);
    assertThat(t.image(0).posInds()).containsExactly(3);
    assertThat(t.image(0).posGtInds()).containsExactly(0);
    assertThat(t.image(0).negInds()).containsExactly(0, 1, 2);
    assertThat(loss.get("loss_cls", 0)).isCloseTo(4 * LN2 / (1 + EPS), within(TOL));
    // L1 over the positive's four coordinates: |0.5 - 0| * 4 / num_total_pos.
    assertThat(loss.get("loss_bbox", 0)).isCloseTo(2.0 / (1 + EPS), within(TOL));
    double[] gc = doubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0));
    assertThat(gc[3]).isCloseTo(-0.5 / (1 + EPS), within(TOL));
    assertThat(gc[0]).isCloseTo(0.5 / (1 + EPS), within(TOL));
    double[] gb = doubles(loss.grads().get(HeadOutputs.BBOX_PREDS, 0));
    for (int c = 0; c < 4; c++) {
      for (int loc = 0; loc < 4; loc++) {
        // NCHW: channel c of location loc; only the positive (location 3) has a gradient.
        assertThat(gb[c * 4 + loc]).isCloseTo(loc == 3 ? 1 / (1 + EPS) : 0.0, within(TOL));
      }
    }
  }

  @Test
  void gtWithNoAnchorInsideTheImageGivesNoPositive() {
    // allowed_border=0 on a 32x32 image keeps only anchor 3; the gt sits under anchor 0.
    AnchorHead head = Tiny.head(0, 0.3, -1);
    GroundTruth gt = GroundTruth.of(boxes(0, 0, 6, 6), labels(0));
    HeadLoss loss = head.loss(Tiny.outputs(1, 0.0, 0.5), List.of(gt), List.of(Tiny.meta(32, 32)));

    HeadTargets t = loss.targets().orElseThrow();
    assertThat(t.image(0).insideFlags()).containsExactly(false, false, false, true);
    assertThat(t.image(0).assignResult().gtInds()).containsExactly(0);
    assertThat(t.labelsData(0)).containsExactly(1, 1, 1, 1);
    assertThat(t.labelWeightsData(0)).containsExactly(0, 0, 0, 1);
    assertThat(t.numTotalPos()).isEqualTo(1);
    assertThat(t.numTotalNeg()).isEqualTo(1);
    assertThat(loss.get("loss_cls", 0)).isCloseTo(LN2 / (1 + EPS), within(TOL));
    assertThat(loss.get("loss_bbox", 0)).isZero();
  }

  @Test
  void minPosIouZeroMatchesAGtThatOverlapsNothing() {
    // MMDetection's quirk: with min_pos_iou=0 the low-quality match gives the gt every anchor at its
    // (zero) best IoU, here the only inside anchor.
    AnchorHead head = Tiny.head(0, 0.0, -1);
    GroundTruth gt = GroundTruth.of(boxes(0, 0, 6, 6), labels(0));
    HeadTargets t = head.loss(Tiny.outputs(1, 0.0, 0.0), List.of(gt), List.of(Tiny.meta(32, 32)))
        .targets().orElseThrow();

    assertThat(t.labelsData(0)).containsExactly(1, 1, 1, 0);
    assertThat(t.numTotalPos()).isEqualTo(1);
    assertThat(t.numTotalNeg()).isEqualTo(1);
    // encode((8,8,24,24) -> (0,0,6,6)): centre 16 -> 3 over width 16, size 16 -> 6.
    double d = (3.0 - 16.0) / 16.0;
    double s = Math.log(6.0 / 16.0);
    double[] bt = t.bboxTargetsData(0);
    assertThat(new double[] {bt[12], bt[13], bt[14], bt[15]}).containsExactly(new double[] {d, d, s, s},
        within(1e-6));
  }

  @Test
  void allAnchorsOutsideTheImageGiveNoTargetsAndNoLoss() {
    // An 8x8 image padded to 32x32: every anchor reaches past its border.
    AnchorHead head = Tiny.head(0, 0.0, -1);
    GroundTruth gt = GroundTruth.of(boxes(1, 1, 7, 7), labels(0));
    HeadOutputs outputs = Tiny.outputs(1, 0.0, 0.5);
    HeadLoss loss = head.loss(outputs, List.of(gt), List.of(Tiny.meta(8, 8)));

    assertThat(loss.hasLosses()).isFalse();
    assertThat(loss.names()).isEmpty();
    assertThat(loss.total()).isZero();
    assertThat(loss.targets()).isEmpty();
    assertThat(doubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0))).containsOnly(0.0);
    assertThat(doubles(loss.grads().get(HeadOutputs.BBOX_PREDS, 0))).containsOnly(0.0);
    MultiLevelAnchors anchors = head.getAnchors(List.of(new int[] {2, 2}), List.of(Tiny.meta(8, 8)), DataType.FLOAT);
    Optional<HeadTargets> targets = head.getTargets(anchors, List.of(gt), List.of(Tiny.meta(8, 8)), 1);
    assertThat(targets).isEmpty();
  }

  @Test
  void anImageWithoutInsideAnchorsLeavesTheOtherImagesLossesAndGradients() {
    AnchorHead head = Tiny.head(0, 0.0, -1);
    GroundTruth gt = GroundTruth.of(boxes(8, 8, 24, 24), labels(0));
    HeadOutputs two = Tiny.outputs(2, 0.0, 0.5);
    HeadLoss alone = head.loss(Tiny.outputs(1, 0.0, 0.5), List.of(gt), List.of(Tiny.meta(32, 32)));
    // Image 1 is 8x8 with allowed_border 0 (every anchor reaches past it), then img_shape (0, 0).
    for (ImageMeta empty : List.of(Tiny.meta(8, 8), ImageMeta.of(new int[] {0, 0, 3}, new int[] {32, 32, 3},
        new int[] {32, 32, 3}, 1.0))) {
      HeadLoss batch = head.loss(two, List.of(gt, gt), List.of(Tiny.meta(32, 32), empty));
      assertThat(batch.hasLosses()).isTrue();
      // Image 0 alone: only anchor 3 is inside (border 0), a positive; avg_factor 1 (image 1 counts nothing).
      assertThat(batch.get("loss_cls")).containsExactly(alone.get("loss_cls"));
      assertThat(batch.get("loss_bbox")).containsExactly(alone.get("loss_bbox"));
      assertThat(batch.get("loss_cls", 0)).isCloseTo(LN2 / (1 + EPS), within(TOL));
      HeadTargets t = batch.targets().orElseThrow();
      assertThat(t.numTotalPos()).isEqualTo(1);
      assertThat(t.image(1).hasInsideAnchors()).isFalse();
      assertThat(t.image(1).labels()).containsOnly(1);
      assertThat(t.image(1).labelWeights()).containsOnly(0.0);
      double[] g = doubles(batch.grads().get(HeadOutputs.CLS_SCORES, 0));
      double[] g0 = doubles(alone.grads().get(HeadOutputs.CLS_SCORES, 0));
      assertThat(java.util.Arrays.copyOfRange(g, 0, 4)).containsExactly(g0);
      assertThat(java.util.Arrays.copyOfRange(g, 4, 8)).containsOnly(0.0);
      double[] b = doubles(batch.grads().get(HeadOutputs.BBOX_PREDS, 0));
      assertThat(java.util.Arrays.copyOfRange(b, 0, 16)).containsExactly(doubles(alone.grads().get(
          HeadOutputs.BBOX_PREDS, 0)));
      assertThat(java.util.Arrays.copyOfRange(b, 16, 32)).containsOnly(0.0);
    }
  }

  @Test
  void negativeAllowedBorderKeepsEveryValidAnchor() {
    GroundTruth gt = GroundTruth.of(boxes(8, 8, 24, 24), labels(0));
    HeadTargets all = Tiny.head(-1, 0.0, -1)
        .loss(Tiny.outputs(1, 0.0, 0.0), List.of(gt), List.of(Tiny.meta(8, 8))).targets().orElseThrow();
    assertThat(all.image(0).insideFlags()).containsExactly(true, true, true, true);

    // Validity still applies: padded to 16x16 only the cell (0, 0) lies on the image.
    ImageMeta smallPad = ImageMeta.of(new int[] {16, 16, 3}, new int[] {16, 16, 3}, new int[] {16, 16, 3}, 1.0);
    HeadTargets valid = Tiny.head(-1, 0.0, -1)
        .loss(Tiny.outputs(1, 0.0, 0.0), List.of(Tiny.noGt()), List.of(smallPad)).targets().orElseThrow();
    assertThat(valid.image(0).insideFlags()).containsExactly(true, false, false, false);
    assertThat(valid.labelWeightsData(0)).containsExactly(1, 0, 0, 0);
  }

  @Test
  void allowedBorderIsInclusiveOnTheLeftAndStrictOnTheRight() {
    GroundTruth none = Tiny.noGt();
    // b=8: anchor 0 has x1 = -8 >= -8 and x2 = 8 < 32 + 8.
    assertThat(Tiny.head(8, 0.0, -1).loss(Tiny.outputs(1, 0, 0), List.of(none), List.of(Tiny.meta(32, 32)))
        .targets().orElseThrow().image(0).insideFlags()).containsExactly(true, true, true, true);
    // b=7: only the anchor with no negative corner stays.
    assertThat(Tiny.head(7, 0.0, -1).loss(Tiny.outputs(1, 0, 0), List.of(none), List.of(Tiny.meta(32, 32)))
        .targets().orElseThrow().image(0).insideFlags()).containsExactly(false, false, false, true);
    // b=0 on a 24x24 image: anchor 3 ends at x2 = 24, not < 24.
    assertThat(Tiny.head(0, 0.0, -1).loss(Tiny.outputs(1, 0, 0), List.of(none), List.of(Tiny.meta(24, 24)))
        .hasLosses()).isFalse();
  }

  @Test
  void ignoredBoxesTakeTheirAnchorsOutOfTheClassificationLoss() {
    AnchorHead head = Tiny.head(-1, 0.0, 0.5);
    GroundTruth gt = GroundTruth.of(boxes(8, 8, 24, 24), labels(0), boxes(-8, -8, 8, 8));
    HeadLoss loss = head.loss(Tiny.outputs(1, 0.0, 0.0), List.of(gt), List.of(Tiny.meta(32, 32)));

    HeadTargets t = loss.targets().orElseThrow();
    assertThat(t.image(0).assignResult().gtInds()).containsExactly(-1, 0, 0, 1);
    assertThat(t.labelsData(0)).containsExactly(1, 1, 1, 0);
    assertThat(t.labelWeightsData(0)).containsExactly(0, 1, 1, 1);
    assertThat(t.numTotalNeg()).isEqualTo(2);
    assertThat(loss.get("loss_cls", 0)).isCloseTo(3 * LN2 / (1 + EPS), within(TOL));
    assertThat(doubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0))[0]).isZero();
  }

  @Test
  void ignoredBoxesHaveNoEffectOnAnImageWithoutGroundTruth() {
    // MaxIoUAssigner returns before it looks at ignore regions when there is no gt (MMDetection).
    AnchorHead head = Tiny.head(-1, 0.0, 0.5);
    GroundTruth gt = GroundTruth.of(boxes(), labels(), boxes(-8, -8, 8, 8));
    HeadTargets t = head.loss(Tiny.outputs(1, 0.0, 0.0), List.of(gt), List.of(Tiny.meta(32, 32)))
        .targets().orElseThrow();
    assertThat(t.image(0).assignResult().gtInds()).containsExactly(0, 0, 0, 0);
    assertThat(t.labelWeightsData(0)).containsExactly(1, 1, 1, 1);
  }
}
