package io.detkit.tools.data;

import java.awt.image.BufferedImage;

/**
 * One training or validation image with its annotations.
 *
 * @param image the image as the network sees it: CHW float32, normalized, padded to the batch shape
 * @param height padded height
 * @param width padded width
 * @param imgShape {@code (h, w)} of the resized image before padding (MMDetection's img_shape)
 * @param scaleFactor resized size over original size (boxes are in resized pixels)
 * @param boxes ground-truth boxes (x1, y1, x2, y2) in resized pixels, packed {@code 4*i+k}
 * @param labels class of each box, in {@code [0, num_classes)}
 * @param preview the resized RGB image before normalization, for pictures; may be null
 */
public record DetectionSample(float[] image, int height, int width, int[] imgShape, double scaleFactor,
    float[] boxes, int[] labels, BufferedImage preview) {
  public DetectionSample {
    if (image.length != 3 * height * width) {
      throw new IllegalArgumentException("image must be 3 x " + height + " x " + width + "; got " + image.length
          + " values");
    }
    if (boxes.length != 4 * labels.length) {
      throw new IllegalArgumentException("boxes must hold 4 values per label; got " + boxes.length + " for "
          + labels.length + " labels");
    }
  }

  public int numObjects() {
    return labels.length;
  }
}
