package io.detkit.heads.examples;

import static io.detkit.heads.Tiny.EPS;
import static io.detkit.heads.Tiny.LN2;
import static io.detkit.heads.Tiny.boxes;
import static io.detkit.heads.Tiny.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.Heads;
import io.detkit.heads.Tiny;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worked example of reweighting through the per-image target step: positives weighted by
 * their IoU with their gt, checked against values computed by hand on {@link Tiny}'s anchors.
 */
class IoUWeightedAnchorHeadTest {
  // gt A = (8,8,24,20) against anchor 3 = (8,8,24,24): 16*12 / (256 + 192 - 192) = 0.75.
  // gt B = (-8,-8,6,8) against anchor 0 = (-8,-8,8,8): 14*16 / (256 + 224 - 224) = 0.875.
  // Anchors 1 and 2 only touch the gts (IoU 0): negatives with weight 1.
  private static final GroundTruth GT = GroundTruth.of(boxes(8, 8, 24, 20, -8, -8, 6, 8), labels(0, 0));

  @Test
  void positivesAreWeightedByTheirIoU() {
    IoUWeightedAnchorHead head = IoUWeightedAnchorHead.builder().fromConfig(
        Tiny.headConfig("IoUWeightedAnchorHead", -1, 0.0, -1));
    HeadLoss loss = head.loss(Tiny.outputs(1, 0.0, 0.0), List.of(GT), List.of(Tiny.meta(32, 32)));

    HeadTargets t = loss.targets().orElseThrow();
    assertThat(t.image(0).posInds()).containsExactly(0, 3);
    assertThat(t.image(0).posGtInds()).containsExactly(1, 0);
    assertThat(t.labelWeightsData(0)).containsExactly(new double[] {0.875, 1, 1, 0.75}, within(1e-12));
    // Sigmoid CE at logit 0 costs ln 2 per anchor; avg_factor = 2 positives.
    assertThat(loss.get("loss_cls", 0)).isCloseTo((0.875 + 1 + 1 + 0.75) * LN2 / (2 + EPS), within(1e-6));
    // The gradient scales with the weight: (sigmoid(0) - 1) * 0.75 / 2 at the positive anchor 3.
    assertThat(Tiny.doubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0))[3])
        .isCloseTo(-0.5 * 0.75 / (2 + EPS), within(1e-6));
  }

  @Test
  void theTransformHandedToABuilderGivesTheSameWeights() {
    Config cfg = Tiny.headConfig("AnchorHead", -1, 0.0, -1);
    // tag::iou-weighted-transform[]
    AnchorHead head = Heads.anchorHead().params(p -> p.withTargetTransform(IoUWeightedAnchorHead::weightByIoU)).fromConfig(cfg);
    // end::iou-weighted-transform[]
    HeadLoss loss = head.loss(Tiny.outputs(1, 0.0, 0.0), List.of(GT), List.of(Tiny.meta(32, 32)));
    assertThat(loss.targets().orElseThrow().labelWeightsData(0)).containsExactly(new double[] {0.875, 1, 1, 0.75},
        within(1e-12));
    assertThat(loss.get("loss_cls", 0)).isCloseTo((0.875 + 1 + 1 + 0.75) * LN2 / (2 + EPS), within(1e-6));
  }

  @Test
  void thePlainHeadWeightsEveryAnchorOne() {
    AnchorHead plain = Tiny.head(-1, 0.0, -1);
    HeadLoss loss = plain.loss(Tiny.outputs(1, 0.0, 0.0), List.of(GT), List.of(Tiny.meta(32, 32)));
    assertThat(loss.targets().orElseThrow().labelWeightsData(0)).containsExactly(1, 1, 1, 1);
    assertThat(loss.get("loss_cls", 0)).isCloseTo(4 * LN2 / (2 + EPS), within(1e-6));
  }

  @Test
  void theSubclassRegistersAndBuildsFromItsConfig() {
    if (!Heads.REGISTRY.contains("IoUWeightedAnchorHead")) {
      Heads.REGISTRY.register("IoUWeightedAnchorHead", c -> IoUWeightedAnchorHead.builder().fromConfig(c));
    }
    AnchorHead head = Heads.build(Tiny.headConfig("IoUWeightedAnchorHead", -1, 0.0, -1), AnchorHead.class);
    assertThat(head).isInstanceOf(IoUWeightedAnchorHead.class);
    assertThat(head.loss(Tiny.outputs(1, 0.0, 0.0), List.of(GT), List.of(Tiny.meta(32, 32)))
        .targets().orElseThrow().labelWeightsData(0)[3]).isCloseTo(0.75, within(1e-12));
  }
}
