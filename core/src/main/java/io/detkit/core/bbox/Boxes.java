package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elementwise box transforms of MMDetection 2.x's {@code mmdet/core/bbox/transforms.py} on
 * {@code [N, 4]} arrays.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} unless a method says {@code (cx, cy, w, h)}; widths are
 * {@code x2 - x1} (no +1). Every method returns a new array of the input's dtype (FLOAT or
 * DOUBLE) and shape, computed with the same operations as MMDetection in that precision, so
 * float32 results match bit for bit.
 *
 * <p>All methods throw {@link IllegalArgumentException} naming {@code boxes} if it is null, not
 * {@code [N, 4]}, not FLOAT/DOUBLE ({@code boxes must be [N,4] (x1, y1, x2, y2); got [3,5]}) or
 * holds a non-finite value ({@code boxes must be finite; element 3 is NaN}), and naming the
 * parameter for an invalid image size or flip direction, and naming the row when a result does not
 * fit the dtype (an area or a width beyond float32's 3.4e38, where MMDetection returns infinity).
 * N may be 0.
 */
public final class Boxes {
  private Boxes() {}

  /** {@code bbox_xyxy_to_cxcywh}: {@code ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)}. */
  public static INDArray xyxyToCxcywh(INDArray boxes) {
    Precision p = check(boxes);
    double[] v = values(boxes);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i += 4) {
      out[i] = centre(v[i], v[i + 2], p);
      out[i + 1] = centre(v[i + 1], v[i + 3], p);
      out[i + 2] = p.round(v[i + 2] - v[i]);
      out[i + 3] = p.round(v[i + 3] - v[i + 1]);
    }
    return result(out, boxes, "width or height");
  }

  /**
   * {@code (a + b) / 2} rounded as torch rounds it; when {@code a + b} alone overflows (both near the
   * dtype's maximum) the halves are added instead, which is the same value whenever the sum is
   * finite (halving is exact), so the true centre comes back instead of infinity.
   */
  private static double centre(double a, double b, Precision p) {
    double sum = p.round(a + b);
    return Double.isInfinite(sum) ? p.round(a / 2 + b / 2) : p.round(sum / 2);
  }

  /**
   * The converted boxes as an array of the input's dtype, or a named error when a value does not
   * fit the dtype (a width of 6e38 in float32): MMDetection returns infinity there.
   */
  private static INDArray result(double[] out, INDArray boxes, String what) {
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i])) {
        int row = i / 4;
        throw new IllegalArgumentException("boxes row " + row + ": the converted " + what + " overflows "
            + boxes.dataType() + " (" + out[i] + "); the result is not representable in that dtype");
      }
    }
    return Tensors.create(out, boxes.dataType(), boxes.shape());
  }

  /**
   * {@code bbox_cxcywh_to_xyxy}: {@code (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)} of
   * {@code (cx, cy, w, h)} rows.
   */
  public static INDArray cxcywhToXyxy(INDArray boxes) {
    Precision p = check(boxes);
    double[] v = values(boxes);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i += 4) {
      double halfW = p.round(0.5 * v[i + 2]);
      double halfH = p.round(0.5 * v[i + 3]);
      out[i] = p.round(v[i] - halfW);
      out[i + 1] = p.round(v[i + 1] - halfH);
      out[i + 2] = p.round(v[i] + halfW);
      out[i + 3] = p.round(v[i + 1] + halfH);
    }
    return result(out, boxes, "corner");
  }

  /**
   * Areas {@code (x2 - x1) * (y2 - y1)} as {@code [N]}, not clamped (an inverted box has a
   * negative area), as {@code bbox_overlaps} computes them.
   */
  public static INDArray areas(INDArray boxes) {
    Precision p = check(boxes);
    double[] v = values(boxes);
    double[] out = new double[v.length / 4];
    for (int k = 0; k < out.length; k++) {
      out[k] = PairOverlap.area(v, k, p);
      if (!Double.isFinite(out[k])) {
        throw new IllegalArgumentException("boxes row " + k + ": the area (x2 - x1) * (y2 - y1) overflows "
            + boxes.dataType() + " (" + out[k] + "); compute areas of such boxes in DOUBLE"
            + " (overlaps of huge boxes are computed on scaled boxes and need no areas)");
      }
    }
    return Tensors.create(out, boxes.dataType(), boxes.size(0));
  }

  /**
   * Clamps x1 and x2 to {@code [0, width]} and y1 and y2 to {@code [0, height]} (as
   * {@code clamp(min=0, max=max_shape[1])} in {@code distance2bbox}).
   *
   * @throws IllegalArgumentException if {@code height} or {@code width} is negative or not finite
   */
  public static INDArray clip(INDArray boxes, double height, double width) {
    Precision p = check(boxes);
    requireSize(height, "height");
    requireSize(width, "width");
    double h = p.round(height);
    double w = p.round(width);
    double[] v = values(boxes);
    for (int i = 0; i < v.length; i += 4) {
      v[i] = clamp(v[i], w);
      v[i + 1] = clamp(v[i + 1], h);
      v[i + 2] = clamp(v[i + 2], w);
      v[i + 3] = clamp(v[i + 3], h);
    }
    return Tensors.create(v, boxes.dataType(), boxes.shape());
  }

  private static double clamp(double x, double max) {
    return Math.min(Math.max(x, 0), max);
  }

  /**
   * {@code bbox_flip(bboxes, (height, width), direction)}: mirrors boxes inside an image of
   * {@code height x width}.
   * <ul>
   *   <li>{@code "horizontal"}: {@code (w - x2, y1, w - x1, y2)};
   *   <li>{@code "vertical"}: {@code (x1, h - y2, x2, h - y1)};
   *   <li>{@code "diagonal"}: both, {@code (w - x2, h - y2, w - x1, h - y1)}.
   * </ul>
   *
   * @throws IllegalArgumentException if {@code direction} is none of these, or {@code height} or
   *     {@code width} is negative or not finite
   */
  public static INDArray flip(INDArray boxes, double height, double width, String direction) {
    Precision p = check(boxes);
    requireSize(height, "height");
    requireSize(width, "width");
    String d = direction == null ? "" : direction.toLowerCase(Locale.ROOT);
    boolean horizontal = d.equals("horizontal") || d.equals("diagonal");
    boolean vertical = d.equals("vertical") || d.equals("diagonal");
    if (!horizontal && !vertical) {
      throw new IllegalArgumentException("direction must be one of 'horizontal', 'vertical', 'diagonal'; got "
          + (direction == null ? "null" : "'" + direction + "'"));
    }
    double h = p.round(height);
    double w = p.round(width);
    double[] v = values(boxes);
    for (int i = 0; i < v.length; i += 4) {
      double x1 = v[i];
      double y1 = v[i + 1];
      double x2 = v[i + 2];
      double y2 = v[i + 3];
      if (horizontal) {
        v[i] = p.round(w - x2);
        v[i + 2] = p.round(w - x1);
      }
      if (vertical) {
        v[i + 1] = p.round(h - y2);
        v[i + 3] = p.round(h - y1);
      }
    }
    return result(v, boxes, "coordinate");
  }

  private static Precision check(INDArray boxes) {
    Tensors.requireBoxes(boxes, "boxes");
    if (boxes.dataType() != DataType.FLOAT && boxes.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("boxes must be FLOAT or DOUBLE; got " + boxes.dataType());
    }
    return Precision.of(boxes.dataType());
  }

  /** The coordinates of checked {@code boxes}, required finite. */
  private static double[] values(INDArray boxes) {
    double[] v = Tensors.toDoubles(boxes);
    Tensors.requireFinite(v, "boxes");
    return v;
  }

  private static void requireSize(double v, String name) {
    if (!Double.isFinite(v) || v < 0) {
      throw new IllegalArgumentException(name + " must be finite and >= 0; got " + v);
    }
  }
}
