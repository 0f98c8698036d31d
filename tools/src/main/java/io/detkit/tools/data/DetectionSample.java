package io.detkit.tools.data;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.ImageMeta;
import java.awt.image.BufferedImage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One image after the data pipeline, ready to batch.
 *
 * @param name the dataset's name for the image
 * @param image CHW float32 as the network sees it (normalized when the pipeline normalizes),
 *     {@code padShape[0] x padShape[1]}
 * @param imgShape (h, w) of the resized image inside the padding (MMDetection's img_shape)
 * @param padShape (h, w) after padding
 * @param oriShape (h, w) of the original image
 * @param scaleFactor (w, h, w, h) that the image was resized by
 * @param flip whether the image was flipped horizontally
 * @param boxes ground-truth boxes (x1, y1, x2, y2) in network-input pixels, packed {@code 4*i+k}
 * @param labels class of each box
 * @param ignoreBoxes boxes to ignore, in network-input pixels (may be empty)
 * @param oriBoxes the ground-truth boxes in original pixels (for evaluation)
 * @param preview the resized (and flipped) RGB image before normalization and padding, for pictures
 */
public record DetectionSample(String name, float[] image, int[] imgShape, int[] padShape, int[] oriShape,
    double[] scaleFactor, boolean flip, float[] boxes, int[] labels, float[] ignoreBoxes, float[] oriBoxes,
    BufferedImage preview) {
  /**
   * @throws IllegalArgumentException if the image size disagrees with {@code padShape} or the box
   *     and label counts disagree
   */
  public DetectionSample {
    if (image.length != 3 * padShape[0] * padShape[1]) {
      throw new IllegalArgumentException("image must be 3 x " + padShape[0] + " x " + padShape[1] + "; got "
          + image.length + " values");
    }
    if (boxes.length != 4 * labels.length || oriBoxes.length != boxes.length) {
      throw new IllegalArgumentException("boxes and oriBoxes must hold 4 values per label; got " + boxes.length
          + " and " + oriBoxes.length + " for " + labels.length + " labels");
    }
  }

  /** Number of ground-truth objects. */
  public int numObjects() {
    return labels.length;
  }

  /** The meta record a head needs. */
  public ImageMeta meta() {
    return ImageMeta.of(new int[] {imgShape[0], imgShape[1], 3}, new int[] {padShape[0], padShape[1], 3},
        new int[] {oriShape[0], oriShape[1], 3}, scaleFactor);
  }

  /** The annotations as a head takes them (float32 boxes, int64 labels). */
  public GroundTruth groundTruth() {
    INDArray b = Tensors.create(boxes, DataType.FLOAT, labels.length, 4);
    INDArray l = Tensors.createLong(labels, labels.length);
    INDArray ign = ignoreBoxes.length == 0 ? null
        : Tensors.create(ignoreBoxes, DataType.FLOAT, ignoreBoxes.length / 4, 4);
    return GroundTruth.of(b, l, ign);
  }
}
