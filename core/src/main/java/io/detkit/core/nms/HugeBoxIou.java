package io.detkit.core.nms;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.bbox.OverlapKernels;

/** The huge-box path of NMS: mmcv's IoU on pairs scaled by a power of two so their areas stay finite. */
final class HugeBoxIou {
  private HugeBoxIou() {}

  /**
   * {@link GreedyNms}'s suppression test for problems with huge coordinates, where mmcv's areas overflow to
   * infinity and their IoU to NaN, so that even identical boxes would both survive. Each pair is
   * scaled by the power of two that brings its largest coordinate under the safe bound (exact,
   * offset included); the IoU, a ratio of areas, is unchanged by it, and a pair that needs no
   * scaling gets mmcv's value.
   */
  static boolean suppressed(double[] kb, int u, int end, int[] next, double x1, double y1, double x2,
      double y2, double off, double thr, boolean f32) {
    while (next == null ? u < end : u >= 0) {
      double a1 = kb[4 * u];
      double b1 = kb[4 * u + 1];
      double a2 = kb[4 * u + 2];
      double b2 = kb[4 * u + 3];
      int e = OverlapKernels.scaleExponent(a1, b1, a2, b2, x1, y1, x2, y2, f32);
      double o = Math.scalb(off, -e);
      double ka1 = Math.scalb(a1, -e);
      double kb1 = Math.scalb(b1, -e);
      double ka2 = Math.scalb(a2, -e);
      double kb2 = Math.scalb(b2, -e);
      double cx1 = Math.scalb(x1, -e);
      double cy1 = Math.scalb(y1, -e);
      double cx2 = Math.scalb(x2, -e);
      double cy2 = Math.scalb(y2, -e);
      double w = Math.max(0, round(round(Math.min(ka2, cx2) - Math.max(ka1, cx1), f32) + o, f32));
      double h = Math.max(0, round(round(Math.min(kb2, cy2) - Math.max(kb1, cy1), f32) + o, f32));
      double inter = round(w * h, f32);
      double areaKept = round(round(round(ka2 - ka1, f32) + o, f32) * round(round(kb2 - kb1, f32) + o, f32), f32);
      double areaCand = round(round(round(cx2 - cx1, f32) + o, f32) * round(round(cy2 - cy1, f32) + o, f32), f32);
      if (round(inter / round(round(areaKept + areaCand, f32) - inter, f32), f32) > thr) {
        return true;
      }
      u = next == null ? u + 1 : next[u];
    }
    return false;
  }
}
