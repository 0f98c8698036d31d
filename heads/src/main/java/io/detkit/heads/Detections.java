package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The detections of one image that {@link AnchorHead#predict} returns: {@code bboxes [n,4]}
 * (x1, y1, x2, y2, in the network input's pixels, or the original image's with {@code rescale}),
 * {@code scores [n]} and {@code labels [n]} (INT64 class indices), sorted by descending score.
 * {@link #detBboxes()} is MMDetection's {@code det_bboxes [n,5]} with the score as fifth column.
 *
 * <p>Immutable; float arrays are in the head outputs' dtype.
 */
public final class Detections {
  private final DataType dtype;
  private final double[] boxes;
  private final double[] scores;
  private final int[] labels;

  private Detections(DataType dtype, double[] boxes, double[] scores, int[] labels) {
    this.dtype = dtype;
    this.boxes = boxes;
    this.scores = scores;
    this.labels = labels;
  }

  /**
   * Detections from flat data (copied).
   *
   * @param dtype FLOAT or DOUBLE (any floating type), the dtype of {@link #bboxes()} and {@link #scores()}
   * @param boxes {@code 4n} coordinates, (x1, y1, x2, y2) per detection
   * @param scores {@code n}
   * @param labels {@code n} class indices
   * @throws IllegalArgumentException if the lengths disagree, {@code dtype} is not floating point,
   *     or an argument is null
   */
  public static Detections of(DataType dtype, double[] boxes, double[] scores, int[] labels) {
    OutputChecks.requireFloatingType(dtype);
    Tensors.requireNonNull(boxes, "boxes");
    Tensors.requireNonNull(scores, "scores");
    Tensors.requireNonNull(labels, "labels");
    if (boxes.length != scores.length * 4L || labels.length != scores.length) {
      throw new IllegalArgumentException("boxes, scores and labels must describe the same detections (4n, n, n"
          + " values); got " + boxes.length + " box coordinates, " + scores.length + " scores, " + labels.length
          + " labels");
    }
    return new Detections(dtype, boxes.clone(), scores.clone(), labels.clone());
  }

  /** Number of detections. */
  public int size() {
    return scores.length;
  }

  /** {@code [n,4]} boxes. */
  public INDArray bboxes() {
    return Tensors.create(boxes, dtype, scores.length, 4);
  }

  /** {@code [n]} scores. */
  public INDArray scores() {
    return Tensors.create(scores, dtype, scores.length);
  }

  /** {@code [n]} INT64 labels. */
  public INDArray labels() {
    return Tensors.createLong(labels, labels.length);
  }

  /** MMDetection's {@code det_bboxes}: {@code [n,5]}, (x1, y1, x2, y2, score). */
  public INDArray detBboxes() {
    double[] d = new double[scores.length * 5];
    for (int i = 0; i < scores.length; i++) {
      System.arraycopy(boxes, i * 4, d, i * 5, 4);
      d[i * 5 + 4] = scores[i];
    }
    return Tensors.create(d, dtype, scores.length, 5);
  }

  /** Box coordinates, 4 per detection (copy). */
  public double[] boxData() {
    return boxes.clone();
  }

  /** Scores (copy). */
  public double[] scoreData() {
    return scores.clone();
  }

  /** Labels (copy). */
  public int[] labelData() {
    return labels.clone();
  }

  @Override
  public String toString() {
    return "Detections(n=" + scores.length + ")";
  }
}
