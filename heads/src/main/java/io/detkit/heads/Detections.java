package io.detkit.heads;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The detections of one image that {@link AnchorHead#predict} returns: {@code bboxes [n,4]}
 * (x1, y1, x2, y2, in the network input's pixels, or the original image's with {@code rescale}),
 * {@code scores [n]} and {@code labels [n]} (INT64 class indices), sorted by descending score.
 * {@link #detBboxes()} is MMDetection's {@code det_bboxes [n,5]} with the score as fifth column.
 *
 * <p>An immutable record: the flat values are Guava immutable arrays, the ND4J views are made on
 * each call in {@code dtype}.
 *
 * @param dtype FLOAT or DOUBLE (any floating type), the dtype of {@link #bboxes()} and {@link #scores()}
 * @param boxData {@code 4n} coordinates, (x1, y1, x2, y2) per detection
 * @param scoreData {@code n} scores
 * @param labelData {@code n} class indices
 */
public record Detections(DataType dtype, ImmutableDoubleArray boxData, ImmutableDoubleArray scoreData,
    ImmutableIntArray labelData) {

  /**
   * @throws IllegalArgumentException if the lengths disagree, {@code dtype} is not floating point,
   *     or an argument is null
   */
  public Detections {
    OutputChecks.requireFloatingType(dtype);
    Tensors.requireNonNull(boxData, "boxes");
    Tensors.requireNonNull(scoreData, "scores");
    Tensors.requireNonNull(labelData, "labels");
    if (boxData.length() != scoreData.length() * 4L || labelData.length() != scoreData.length()) {
      throw new IllegalArgumentException("boxes, scores and labels must describe the same detections (4n, n, n"
          + " values); got " + boxData.length() + " box coordinates, " + scoreData.length() + " scores, "
          + labelData.length() + " labels");
    }
  }

  /**
   * Detections from flat arrays (copied), as the record's components.
   *
   * @throws IllegalArgumentException as the record's constructor
   */
  public static Detections of(DataType dtype, double[] boxes, double[] scores, int[] labels) {
    return new Detections(dtype, ImmutableDoubleArray.copyOf(Tensors.requireNonNull(boxes, "boxes")),
        ImmutableDoubleArray.copyOf(Tensors.requireNonNull(scores, "scores")),
        ImmutableIntArray.copyOf(Tensors.requireNonNull(labels, "labels")));
  }

  /** Number of detections. */
  public int size() {
    return scoreData.length();
  }

  /** {@code [n,4]} boxes. */
  public INDArray bboxes() {
    return Tensors.create(boxData.toArray(), dtype, size(), 4);
  }

  /** {@code [n]} scores. */
  public INDArray scores() {
    return Tensors.create(scoreData.toArray(), dtype, size());
  }

  /** {@code [n]} INT64 labels. */
  public INDArray labels() {
    return Tensors.createLong(labelData.toArray(), size());
  }

  /** MMDetection's {@code det_bboxes}: {@code [n,5]}, (x1, y1, x2, y2, score). */
  public INDArray detBboxes() {
    int n = size();
    double[] d = new double[n * 5];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 4; c++) {
        d[i * 5 + c] = boxData.get(i * 4 + c);
      }
      d[i * 5 + 4] = scoreData.get(i);
    }
    return Tensors.create(d, dtype, n, 5);
  }

  @Override
  public String toString() {
    return "Detections(n=" + size() + ")";
  }
}
