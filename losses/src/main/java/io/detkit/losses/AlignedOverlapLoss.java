package io.detkit.losses;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The IoU and GIoU losses: a per-box function of core's aligned {@code bbox_overlaps} (forward
 * and vector-Jacobian product from {@link BboxOverlaps}), so that their values and subgradients
 * are exactly those of MMDetection's overlap code.
 */
abstract class AlignedOverlapLoss<P extends Record> extends BoxLoss<P> {
  AlignedOverlapLoss(LossOptions options, P params, double eps) {
    super(options, params, eps);
  }

  /** Which overlap the loss is built on. */
  abstract OverlapMode overlapMode();

  /** The eps given to {@code bbox_overlaps}. */
  abstract double overlapEps();

  /**
   * Writes the loss of each overlap into {@code values} and its derivative into {@code deriv};
   * {@code f32} when the overlaps are float32 values (for clamps compared in float32).
   */
  abstract void lossOf(double[] overlaps, double[] values, double[] deriv, boolean f32);

  @Override
  final Elementwise kernelOf(INDArray pred, INDArray target) {
    DataType dt = pred.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    INDArray p = pred.dataType() == dt ? pred : pred.castTo(dt);
    // bbox_overlaps needs one dtype; MMDetection's targets are the prediction's dtype anyway.
    INDArray t = target.dataType() == dt ? target : target.castTo(dt);
    int n = Math.toIntExact(p.size(0));
    double[] overlaps = Tensors.toDoubles(BboxOverlaps.bboxOverlaps(p, t, overlapMode(), true, overlapEps()));
    double[] values = new double[n];
    double[] deriv = new double[n];
    boolean f32 = dt == DataType.FLOAT;
    lossOf(overlaps, values, deriv, f32);
    double[] boxes = Tensors.toDoubles(p);
    double[] targets = Tensors.toDoubles(t);
    return new Elementwise(new long[] {n}, values, up -> {
      double[] g = new double[n];
      for (int i = 0; i < n; i++) {
        g[i] = up[i] == 0 ? 0.0 : up[i] * deriv[i];
        // Named here: core would blame its own "upstream" argument, which the caller never saw.
        if (!Double.isFinite(g[i])) {
          throw new IllegalArgumentException(type() + ": the gradient with respect to the overlap of box " + i
              + " is not finite (" + g[i] + "): its weight times loss_weight (" + up[i] + ") times the loss's"
              + " derivative (" + deriv[i] + ") leaves the float64 range or is not finite");
        }
      }
      try {
        return BboxOverlaps.alignedVjp(boxes, targets, overlapMode(), overlapEps(), f32, g);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(type() + ": " + e.getMessage(), e);
      }
    });
  }
}
