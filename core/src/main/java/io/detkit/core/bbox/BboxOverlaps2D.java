package io.detkit.core.bbox;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * MMDetection's 2D iou calculator {@code BboxOverlaps2D(scale=1.0, dtype=None)}
 * (mmdet/core/bbox/iou_calculators/iou2d_calculator.py): {@link BboxOverlaps#bboxOverlaps} on
 * boxes that may carry a fifth score column.
 *
 * <p>Inputs are {@code [..., N, 4]} {@code (x1, y1, x2, y2)} or {@code [..., N, 5]}
 * {@code (x1, y1, x2, y2, score)}; a fifth column is dropped. The result is {@code [..., N, M]},
 * or {@code [..., N]} aligned, in the inputs' dtype, with eps 1e-6.
 *
 * <p>With {@code dtype="fp16"} the boxes are divided by {@code scale} and everything is computed in
 * float16 arithmetic as MMDetection does to save memory (a float32 result, float16 values). Where
 * MMDetection lets large areas overflow float16 into a silent 0 or NaN, this throws an
 * {@link IllegalArgumentException} asking for a larger {@code scale}. {@code scale} only matters
 * then.
 *
 * <p>Immutable and thread-safe. Build it from a config through {@link io.detkit.core.CoreRegistries#IOU_CALCULATORS} or
 * with the constructors.
 */
public final class BboxOverlaps2D {
  /** The config {@code type}. */
  public static final String TYPE = "BboxOverlaps2D";

  private final double scale;
  private final String dtype;

  /** {@code BboxOverlaps2D()}: scale 1.0, no dtype cast. */
  public BboxOverlaps2D() {
    this(1.0, null);
  }

  /**
   * @param scale divisor applied before the float16 cast; finite and &gt; 0
   * @param dtype {@code null} (compute in the inputs' dtype) or {@code "fp16"}
   * @throws IllegalArgumentException naming {@code scale} or {@code dtype} when invalid
   */
  public BboxOverlaps2D(double scale, String dtype) {
    if (!Double.isFinite(scale) || scale <= 0) {
      throw new IllegalArgumentException("scale must be finite and > 0; got " + scale);
    }
    if (dtype != null && !dtype.equals("fp16")) {
      throw new IllegalArgumentException("dtype must be None or 'fp16'; got '" + dtype + "'");
    }
    this.scale = scale;
    this.dtype = dtype;
  }

  /**
   * Builds from {@code dict(type='BboxOverlaps2D', scale=1.0, dtype=None)}; the {@code type} key is
   * not checked here (the registry dispatches on it).
   *
   * @throws ConfigException naming the key for a wrong type or value
   */
  public static BboxOverlaps2D fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    double scale = c.getDouble("scale", 1.0);
    String dtype = c.getString("dtype", null);
    if (!Double.isFinite(scale) || scale <= 0) {
      throw ConfigException.at(c.pathOf("scale"), "expected a finite number > 0, got " + scale);
    }
    if (dtype != null && !dtype.equals("fp16")) {
      throw ConfigException.at(c.pathOf("dtype"), "expected None or 'fp16', got '" + dtype + "'");
    }
    return new BboxOverlaps2D(scale, dtype);
  }

  /** The divisor applied to both inputs before fp16 overlaps (1 for plain float overlaps). */
  public double scale() {
    return scale;
  }

  /** {@code null} or {@code "fp16"}. */
  public String dtype() {
    return dtype;
  }

  /**
   * IoU of every pair: {@code [..., N, M]} from {@code [..., N, 4|5]} and {@code [..., M, 4|5]}.
   *
   * @throws IllegalArgumentException as {@link #overlaps(INDArray, INDArray, OverlapMode, boolean)}
   */
  public INDArray overlaps(INDArray bboxes1, INDArray bboxes2) {
    return overlaps(bboxes1, bboxes2, OverlapMode.IOU, false);
  }

  /**
   * {@code __call__(bboxes1, bboxes2, mode, is_aligned)}.
   *
   * @param mode {@code "iou"}, {@code "iof"} or {@code "giou"}
   * @throws IllegalArgumentException for an unknown mode, or as
   *     {@link #overlaps(INDArray, INDArray, OverlapMode, boolean)}
   */
  public INDArray overlaps(INDArray bboxes1, INDArray bboxes2, String mode, boolean isAligned) {
    return overlaps(bboxes1, bboxes2, OverlapMode.parse(mode), isAligned);
  }

  /**
   * {@code __call__(bboxes1, bboxes2, mode, is_aligned)}.
   *
   * @param bboxes1 {@code [..., N, 4]} or {@code [..., N, 5]}
   * @param bboxes2 {@code [..., M, 4]} or {@code [..., M, 5]}
   * @return {@code [..., N, M]}, or {@code [..., N]} when aligned, in the inputs' dtype (float32
   *     for fp16)
   * @throws IllegalArgumentException if a last dim is not 0, 4 or 5, or for anything
   *     {@link BboxOverlaps#bboxOverlaps} rejects (null, non-floating or mixed dtypes, non-finite
   *     coordinates, mismatched batch dims)
   */
  public INDArray overlaps(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned) {
    INDArray b1 = dropScores(bboxes1, "bboxes1");
    INDArray b2 = dropScores(bboxes2, "bboxes2");
    if (dtype != null) {
      return HalfOverlaps.bboxOverlapsHalf(b1, b2, mode, isAligned, scale, BboxOverlaps.CHUNK_ELEMENTS);
    }
    return BboxOverlaps.bboxOverlaps(b1, b2, mode, isAligned, BboxOverlaps.DEFAULT_EPS);
  }

  /** The 4-column view of an input, or the input itself. */
  static INDArray dropScores(INDArray boxes, String name) {
    if (boxes == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    long last = boxes.rank() == 0 ? -1 : boxes.size(-1);
    if (last != 0 && last != 4 && last != 5) {
      throw new IllegalArgumentException(name + " must be [..., N, 4] (x1, y1, x2, y2) or [..., N, 5] (with score); got "
          + Tensors.shapeOf(boxes));
    }
    if (last != 5) {
      return boxes;
    }
    if (boxes.length() == 0) {
      long[] shape = boxes.shape();
      shape[shape.length - 1] = 4;
      return Nd4j.create(boxes.dataType(), shape);
    }
    INDArrayIndex[] idx = new INDArrayIndex[boxes.rank()];
    for (int i = 0; i < idx.length - 1; i++) {
      idx[i] = NDArrayIndex.all();
    }
    idx[idx.length - 1] = NDArrayIndex.interval(0, 4);
    return boxes.get(idx).dup('c');
  }

  @Override
  public String toString() {
    return "BboxOverlaps2D(scale=" + scale + ", dtype=" + (dtype == null ? "None" : dtype) + ")";
  }
}
