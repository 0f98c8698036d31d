package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arguments of one {@code sample} call, validated and copied to primitive arrays once, so that
 * the samplers' loops never touch ND4J.
 */
final class SamplerInputs {
  final AssignResult assignResult;
  /** {@code n x cols} boxes in C order. */
  final double[] boxes;
  final int n;
  final int cols;
  final DataType boxType;
  /** {@code k x 4} gt boxes in C order. */
  final double[] gtBoxes;
  final int k;
  final DataType gtType;
  /** {@code k} labels, or null. */
  final int[] gtLabels;

  private SamplerInputs(AssignResult assignResult, double[] boxes, int n, int cols, DataType boxType,
      double[] gtBoxes, int k, DataType gtType, int[] gtLabels) {
    this.assignResult = assignResult;
    this.boxes = boxes;
    this.n = n;
    this.cols = cols;
    this.boxType = boxType;
    this.gtBoxes = gtBoxes;
    this.k = k;
    this.gtType = gtType;
    this.gtLabels = gtLabels;
  }

  /**
   * @throws IllegalArgumentException naming the argument when one is null (but {@code gtLabels}),
   *     has the wrong shape or dtype, holds a NaN or infinite value (naming the first bad flat
   *     index), or disagrees with the others
   */
  static SamplerInputs read(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes,
      INDArray gtLabels) {
    if (assignResult == null) {
      throw new IllegalArgumentException("assign_result must not be null");
    }
    Tensors.requireFloating(Tensors.requireRank(bboxes, "bboxes", 2), "bboxes");
    if (bboxes.size(1) < 4) {
      throw new IllegalArgumentException("bboxes must be [N,4] or wider (x1, y1, x2, y2, ...); got "
          + Tensors.shapeOf(bboxes));
    }
    Tensors.requireBoxes(gtBboxes, "gt_bboxes");
    int n = Math.toIntExact(bboxes.size(0));
    int cols = Math.toIntExact(bboxes.size(1));
    int k = Math.toIntExact(gtBboxes.size(0));
    if (assignResult.size() != n) {
      throw new IllegalArgumentException("assign_result must have one entry per row of bboxes (" + n
          + " rows); got " + assignResult.size() + " entries");
    }
    int[] labels = null;
    if (gtLabels != null) {
      if (gtLabels.rank() != 1 || gtLabels.length() != k) {
        throw new IllegalArgumentException("gt_labels must be [K] with K=" + k
            + " (one label per gt_bboxes row); got " + Tensors.shapeOf(gtLabels));
      }
      if (gtLabels.dataType().isFPType()) {
        throw new IllegalArgumentException("gt_labels must be an integer array; got " + gtLabels.dataType());
      }
      labels = Tensors.toInts(gtLabels, "gt_labels");
    }
    // A NaN box would be carried into the sampled positives and only surface as a NaN loss.
    double[] boxData = Tensors.toDoubles(bboxes);
    Tensors.requireFinite(boxData, "bboxes");
    double[] gtData = Tensors.toDoubles(gtBboxes);
    Tensors.requireFinite(gtData, "gt_bboxes");
    return new SamplerInputs(assignResult, boxData, n, cols, bboxes.dataType(), gtData, k, gtBboxes.dataType(),
        labels);
  }

  /** The first four columns of the boxes, {@code n x 4} in C order. */
  double[] xyxy() {
    if (cols == 4) {
      return boxes;
    }
    double[] out = new double[n * 4];
    for (int i = 0; i < n; i++) {
      System.arraycopy(boxes, i * cols, out, i * 4, 4);
    }
    return out;
  }
}
