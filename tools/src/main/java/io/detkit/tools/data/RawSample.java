package io.detkit.tools.data;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * One image as a dataset stores it, before any transform: an RGB image, its ground-truth boxes
 * (x1, y1, x2, y2) in the image's pixels packed {@code 4*i+k}, their labels in
 * {@code [0, num_classes)}, and boxes to ignore (COCO crowd regions; may be empty).
 *
 * @throws IllegalArgumentException if the box and label counts disagree
 */
public record RawSample(String name, BufferedImage image, float[] boxes, int[] labels, float[] ignoreBoxes) {
  public RawSample {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    if (boxes.length != 4 * labels.length) {
      throw new IllegalArgumentException("boxes must hold 4 values per label; got " + boxes.length + " for "
          + labels.length + " labels");
    }
    if (ignoreBoxes.length % 4 != 0) {
      throw new IllegalArgumentException("ignoreBoxes must hold 4 values per box; got " + ignoreBoxes.length);
    }
  }
}
