package io.detkit.heads.examples;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.ImageTargets;
import io.detkit.heads.SingleImageInput;

// tag::iou-weighted-head[]
/**
 * An AnchorHead whose classification loss weights each positive anchor by its IoU with the gt box
 * it was assigned to (negatives keep weight 1): better-placed anchors count more.
 */
public class IoUWeightedAnchorHead extends AnchorHead {
  protected IoUWeightedAnchorHead(HeadBuilder<?, ?> builder) {
    super(builder);
  }

  /**
   * Its builder: AnchorHead's defaults, this head's type and constructor; the builder's
   * {@code fromConfig} reads a config dict, so the registry takes
   * {@code c -> IoUWeightedAnchorHead.builder().fromConfig(c)}.
   */
  public static HeadBuilder.Of<IoUWeightedAnchorHead> builder() {
    return HeadBuilder.of(IoUWeightedAnchorHead.class, IoUWeightedAnchorHead::new);
  }

  /** The per-image target hook: runs on the head's executor, one image per call. */
  @Override
  protected ImageTargets refineTargets(SingleImageInput in, ImageTargets t) {
    return weightByIoU(in, super.refineTargets(in, t));
  }

  /** The same change as a function, to hand to any head's builder: {@code .targetTransform(...)}. */
  public static ImageTargets weightByIoU(SingleImageInput in, ImageTargets t) {
    double[] anchors = in.flatAnchorData();                // 4 per anchor, all levels
    double[] gts = Tensors.toDoubles(in.gt().bboxes());    // 4 per gt
    double[] weights = t.labelWeights().clone();           // a copy we may change
    int[] pos = t.posInds();                               // flat anchor indices
    int[] gt = t.posGtInds();                              // their gt, 0-based
    for (int k = 0; k < pos.length; k++) {
      weights[pos[k]] = iou(anchors, pos[k], gts, gt[k]);
    }
    return t.withLabelWeights(weights);
  }

  /** IoU of box {@code i} of {@code a} with box {@code j} of {@code b} (4 values per box). */
  public static double iou(double[] a, int i, double[] b, int j) {
    double w = Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]);
    double h = Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]);
    double inter = Math.max(w, 0) * Math.max(h, 0);
    double areaA = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1]);
    double areaB = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
    return inter / (areaA + areaB - inter);
  }
}
// end::iou-weighted-head[]
