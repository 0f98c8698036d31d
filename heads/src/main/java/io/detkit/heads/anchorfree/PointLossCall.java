package io.detkit.heads.anchorfree;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GradAccumulator;
import io.detkit.heads.HeadOutputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one loss call of a point head shares (FCOS's and VFNet's): the head, the checked batch and
 * its outputs, the dtype, and the flat layout MMDetection's point losses use: every level's
 * points, image after image within a level, concatenated level after level ({@link #rows} rows).
 * Single use, one thread (the caller's).
 *
 * @param <H> the head
 */
abstract class PointLossCall<H extends AnchorFreeHead> {
  final H head;
  final PointBatch batch;
  final HeadOutputs outputs;
  final DataType dtype;
  final boolean f32;
  /** Points of all levels and images. */
  final int rows;
  /** The gradients of the call, in the caller's step's arrays when it passed one. */
  final GradAccumulator grads;

  PointLossCall(H head, PointBatch batch, HeadOutputs outputs) {
    this.head = head;
    this.batch = batch;
    this.outputs = outputs;
    this.dtype = batch.dataType();
    this.f32 = dtype != DataType.DOUBLE;
    int total = 0;
    for (int l = 0; l < head.numLevels(); l++) {
      total += batch.numImages() * batch.pointsOf(l);
    }
    this.rows = total;
    this.grads = GradAccumulator.forCall(outputs, dtype);
  }

  /** Output {@code name} as {@link #rows} rows of {@code channels} values (checked finite). */
  final double[] flatRows(String name, int channels) {
    return PointLayout.concatRows(outputs, name, batch, channels);
  }

  /** The point {@code (x, y)} of every row. */
  final double[] flatPoints() {
    return PointLayout.repeatedPoints(head.points(batch.featmapSizes(), dtype), batch);
  }

  /**
   * Adds the gradient of output {@code name}, {@link #rows} rows of {@code channels} values, to
   * {@link #grads} as per-level NCHW arrays (the caller's {@link io.detkit.heads.HeadStep}'s when it
   * passed one).
   */
  final void addRows(String name, double[] rowGrad, int channels) {
    PointLayout.splitRows(rowGrad, batch, channels, level -> grads.fresh(name, level),
        (level, nchw) -> grads.add(name, level, nchw));
  }

  /** Boxes {@code [P, 4]} of distances {@code dist} (4 per row) around {@code posPts} {@code [P, 2]}; empty for none. */
  final INDArray decode(INDArray posPts, double[] dist) {
    int p = dist.length / 4;
    if (p == 0) {
      return Tensors.create(new double[0], dtype, 0, 4);
    }
    return head.bboxCoder().decode(posPts, Tensors.create(dist, dtype, p, 4), null);
  }

  /** The gradient with respect to the distances {@code dist} of a loss whose gradient w.r.t. their boxes is {@code upstream}. */
  final double[] decodeGrad(INDArray posPts, double[] dist, INDArray upstream) {
    INDArray distArr = Tensors.create(dist, dtype, dist.length / 4, 4);
    return Tensors.toDoubles(head.bboxCoder().decodeVjp(posPts, distArr, null, upstream));
  }
}
