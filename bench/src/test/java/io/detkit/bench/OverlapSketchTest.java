package io.detkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import org.junit.jupiter.api.Test;

class OverlapSketchTest {
  @Test
  void columnLayoutGivesBitIdenticalIou() {
    float[] anchors = CocoScale.anchors(CocoScale.atssAnchorGenerator());
    float[] gt = CocoScale.gtBoxes(20, CocoScale.GT_SEED);
    // A degenerate and an inverted box reach the clamps.
    gt[0] = gt[2];
    gt[5] = gt[7] + 3;
    float[] expected = OverlapKernels.pairwise(gt, anchors, OverlapMode.IOU, 1e-6f);
    float[] actual = new float[expected.length];
    new OverlapSketch(anchors).iou(gt, 1e-6f, actual);
    for (int i = 0; i < expected.length; i++) {
      assertThat(Float.floatToRawIntBits(actual[i])).as("pair %d", i).isEqualTo(Float.floatToRawIntBits(expected[i]));
    }
  }
}
