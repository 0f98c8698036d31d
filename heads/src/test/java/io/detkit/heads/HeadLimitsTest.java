package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Sizes that do not fit fail when the head is built, and empty results keep their rank. */
class HeadLimitsTest {
  @Test
  void aClassCountWhoseChannelsOverflowAnIntFailsAtBuildTime() {
    // RetinaNet's 9 anchors x 477218589 classes = 4294967301 channels.
    assertThatThrownBy(() -> Heads.retinaHead().params(p -> p.withNumClasses(477218589)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num_classes=477218589 is too large")
        .hasMessageContaining("9 priors x 477218589 classes");
    assertThatThrownBy(() -> Heads.build(Tiny.headConfig("RetinaHead", -1, 0, -1).with("num_classes", 477218589)
        .with("anchor_generator", RetinaHead.DEFAULT_ANCHOR_GENERATOR)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num_classes=477218589 is too large");
    // One anchor per location fits.
    assertThat(Heads.build(Tiny.headConfig("AnchorHead", -1, 0, -1).with("num_classes", 477218589))
        .clsOutChannels()).isEqualTo(477218589);
  }

  @Test
  void emptyResultsAreRankOneIndicesAndRankTwoBoxes() {
    AnchorHead head = Tiny.head(-1, 0, -1);
    Detections none = head.predict(Tiny.outputs(1, -20, 0), List.of(Tiny.meta(32, 32))).get(0);
    assertThat(none.size()).isZero();
    assertThat(none.bboxes().shape()).containsExactly(0, 4);
    assertThat(none.scores().shape()).containsExactly(0);
    assertThat(none.labels().shape()).containsExactly(0);
    MultiLevelAnchors anchors = head.getAnchors(List.of(new int[] {0, 0}), List.of(Tiny.meta(32, 32)),
        DataType.FLOAT);
    assertThat(anchors.anchors(0).shape()).containsExactly(0, 4);
    assertThat(anchors.flatAnchors().shape()).containsExactly(0, 4);
    MultiLevelAnchors some = head.getAnchors(List.of(new int[] {2, 2}), List.of(Tiny.meta(32, 32)), DataType.FLOAT);
    SingleImageInput in = new SingleImageInput(0, some, Tiny.noGt(), Tiny.meta(32, 32), 1,
        new java.util.SplittableRandom(0));
    assertThat(new InsideAnchors(in, new boolean[4]).anchors().shape()).containsExactly(0, 4);
    boolean[] first = {true, false, false, false};
    assertThatThrownBy(() -> new InsideAnchors(in, first, new int[] {1}, in.anchorsWhere(first)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inside_indices must be the flagged anchors in increasing order; got 1 at position 0");
    HeadLoss loss = head.loss(Tiny.outputs(1, 0, 0), List.of(Tiny.noGt()), List.of(Tiny.meta(32, 32)));
    ImageTargets t = loss.targets().orElseThrow().image(0);
    assertThat(t.samplingResult().orElseThrow().posBboxes().shape()).containsExactly(0, 4);
    assertThat(t.samplingResult().orElseThrow().posGtBboxes().shape()).containsExactly(0, 4);
    assertThat(t.samplingResult().orElseThrow().posIndsArray().shape()).containsExactly(0);
    assertThat(t.samplingResult().orElseThrow().posAssignedGtIndsArray().shape()).containsExactly(0);
  }
}
