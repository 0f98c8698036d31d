package io.detkit.losses;

import static io.detkit.losses.RegressionSupport.dClampMin;
import static io.detkit.losses.RegressionSupport.dMaxFirst;
import static io.detkit.losses.RegressionSupport.dMinFirst;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DIoULoss and CIoULoss: MMDetection's {@code diou_loss} and {@code ciou_loss} for aligned
 * {@code [N,4]} (x1, y1, x2, y2) boxes, forward and hand-written backward with respect to the
 * predicted boxes only.
 *
 * <p>Per box, with {@code eps} (default 1e-6) added where MMDetection adds it:
 * <pre>
 *   iou   = overlap / (area_p + area_t - overlap + eps)
 *   rho2  = squared distance between the centres
 *   c2    = cw^2 + ch^2 + eps        (cw, ch: the enclosing box)
 *   DIoU: loss = 1 - iou + rho2 / c2
 *   CIoU: v = 4/pi^2 * (atan(w_t/h_t) - atan(w_p/h_p))^2 with h += eps,
 *         alpha = [iou > 0.5] * v / (1 - iou + v), a constant of the backward pass,
 *         loss = 1 - clamp(iou - rho2/c2 - alpha*v, -1, 1)
 * </pre>
 * Non-smooth points follow PyTorch: ties of min/max split the gradient in half, {@code clamp}
 * passes it at the bounds. CIoU's {@code alpha} is 0 where MMDetection computes 0/0 (iou rounded to
 * 1 and v == 0, a perfect prediction): since v and its gradient are 0 there, any finite alpha gives
 * the same loss, so 0 is the limit rather than a choice (docs/mmdet-differences.md).
 */
abstract class DistanceIoULoss extends BoxLoss<EpsParams> {
  private static final double FACTOR = 4 / (Math.PI * Math.PI);

  /** CIoU rather than DIoU. */
  private final boolean complete;

  DistanceIoULoss(LossOptions options, EpsParams params, boolean complete) {
    super(options, params, params.eps());
    this.complete = complete;
  }

  @Override
  final Elementwise kernelOf(INDArray pred, INDArray target) {
    return compute(Tensors.toDoubles(pred), Tensors.toDoubles(target), eps(), complete);
  }

  /** The loss of the boxes {@code p} against {@code t} (flat {@code [n,4]}), {@code complete} for CIoU. */
  private static Elementwise compute(double[] p, double[] t, double eps, boolean complete) {
    // The guards against 0/0 below would also turn an infinite coordinate into a finite loss;
    // reject such boxes up front, as bbox_overlaps does for the IoU and GIoU losses.
    Tensors.requireFinite(p, "pred");
    Tensors.requireFinite(t, "target");
    int n = p.length / 4;
    double[] values = new double[n];
    double[] grad = new double[4 * n];
    for (int i = 0; i < n; i++) {
      row(p, t, 4 * i, eps, complete, values, i, grad);
    }
    return new Elementwise(new long[] {n}, values, up -> {
      double[] g = new double[4 * n];
      for (int i = 0; i < n; i++) {
        if (up[i] == 0) {
          continue;
        }
        for (int k = 0; k < 4; k++) {
          g[4 * i + k] = up[i] * grad[4 * i + k];
        }
      }
      return g;
    });
  }

  private static void row(double[] p, double[] t, int o, double eps, boolean complete, double[] values, int i,
      double[] grad) {
    double p0 = p[o];
    double p1 = p[o + 1];
    double p2 = p[o + 2];
    double p3 = p[o + 3];
    double t0 = t[o];
    double t1 = t[o + 1];
    double t2 = t[o + 2];
    double t3 = t[o + 3];

    double wx = Math.min(p2, t2) - Math.max(p0, t0);
    double wy = Math.min(p3, t3) - Math.max(p1, t1);
    double cwx = Math.max(wx, 0);
    double cwy = Math.max(wy, 0);
    double overlap = cwx * cwy;
    double ap = (p2 - p0) * (p3 - p1);
    double ag = (t2 - t0) * (t3 - t1);
    double union = ap + ag - overlap + eps;
    double iou = overlap / union;

    double ew = Math.max(p2, t2) - Math.min(p0, t0);
    double eh = Math.max(p3, t3) - Math.min(p1, t1);
    double cw = Math.max(ew, 0);
    double ch = Math.max(eh, 0);
    double c2 = cw * cw + ch * ch + eps;

    double sx = (t0 + t2) - (p0 + p2);
    double sy = (t1 + t3) - (p1 + p3);
    double rho2 = sx * sx / 4 + sy * sy / 4;

    // Upstream of the loss with respect to iou, rho2, c2 (and, for CIoU, the predicted angle).
    double gIou;
    double gRho2;
    double gC2;
    double gAngle = 0;
    double w1 = 0;
    double h1 = 0;
    if (!complete) {
      values[i] = 1 - (iou - rho2 / c2);
      gIou = -1;
      gRho2 = 1 / c2;
      gC2 = -rho2 / (c2 * c2);
    } else {
      w1 = p2 - p0;
      h1 = p3 - p1 + eps;
      double w2 = t2 - t0;
      double h2 = t3 - t1 + eps;
      double angleDiff = atanRatio(w2, h2) - atanRatio(w1, h1);
      double v = FACTOR * angleDiff * angleDiff;
      double alpha = 0;
      if (iou > 0.5) {
        double den = 1 - iou + v;
        alpha = v == 0 ? 0 : v / den;
      }
      double cious = iou - (rho2 / c2 + alpha * v);
      values[i] = 1 - Math.max(-1.0, Math.min(1.0, cious));
      if (!(cious >= -1 && cious <= 1)) {
        return;
      }
      gIou = -1;
      gRho2 = 1 / c2;
      gC2 = -rho2 / (c2 * c2);
      // d(alpha * v)/d angle_p = alpha * 2 * FACTOR * angleDiff * (-1)
      gAngle = -alpha * 2 * FACTOR * angleDiff;
    }

    double g0 = 0;
    double g1 = 0;
    double g2 = 0;
    double g3 = 0;

    // iou = overlap / union, union = ap + ag - overlap + eps
    double gUnion = -gIou * iou / union;
    double gOverlap = gIou / union - gUnion;
    double wpy = p3 - p1;
    double wpx = p2 - p0;
    g2 += gUnion * wpy;
    g0 -= gUnion * wpy;
    g3 += gUnion * wpx;
    g1 -= gUnion * wpx;
    double gWx = gOverlap * cwy * dClampMin(wx, 0);
    double gWy = gOverlap * cwx * dClampMin(wy, 0);
    g2 += gWx * dMinFirst(p2, t2);
    g0 -= gWx * dMaxFirst(p0, t0);
    g3 += gWy * dMinFirst(p3, t3);
    g1 -= gWy * dMaxFirst(p1, t1);

    // c2 = cw^2 + ch^2 + eps over the enclosing box
    double gEw = gC2 * 2 * cw * dClampMin(ew, 0);
    double gEh = gC2 * 2 * ch * dClampMin(eh, 0);
    g2 += gEw * dMaxFirst(p2, t2);
    g0 -= gEw * dMinFirst(p0, t0);
    g3 += gEh * dMaxFirst(p3, t3);
    g1 -= gEh * dMinFirst(p1, t1);

    // rho2 = sx^2/4 + sy^2/4, sx = (t0 + t2) - (p0 + p2)
    double gSx = gRho2 * sx / 2;
    double gSy = gRho2 * sy / 2;
    g0 -= gSx;
    g2 -= gSx;
    g1 -= gSy;
    g3 -= gSy;

    if (gAngle != 0) {
      // angle = atan(w1 / h1): d/dw1 = h1 / (w1^2 + h1^2), d/dh1 = -w1 / (w1^2 + h1^2)
      double r2 = w1 * w1 + h1 * h1;
      if (r2 > 0 && Double.isFinite(r2)) {
        double gW1 = gAngle * h1 / r2;
        double gH1 = -gAngle * w1 / r2;
        g2 += gW1;
        g0 -= gW1;
        g3 += gH1;
        g1 -= gH1;
      }
    }
    grad[o] = g0;
    grad[o + 1] = g1;
    grad[o + 2] = g2;
    grad[o + 3] = g3;
  }

  /** {@code atan(w / h)} as PyTorch computes it, with 0 for the 0/0 of a box that is a point. */
  private static double atanRatio(double w, double h) {
    double r = w / h;
    return Double.isNaN(r) ? 0.0 : Math.atan(r);
  }
}
