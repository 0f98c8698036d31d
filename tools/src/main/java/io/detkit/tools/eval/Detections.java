package io.detkit.tools.eval;

import java.util.Arrays;

/**
 * Boxes of one image with labels and (for predictions) scores. Boxes are (x1, y1, x2, y2) in
 * pixels, packed as {@code 4*i+k}. Immutable. The factories throw {@link IllegalArgumentException}
 * for mismatched lengths or a NaN or infinite box or score (naming the first bad element).
 */
public final class Detections {
  private final float[] boxes;
  private final float[] scores;
  private final int[] labels;

  private Detections(float[] boxes, float[] scores, int[] labels) {
    if (boxes.length != 4 * labels.length) {
      throw new IllegalArgumentException("boxes must hold 4 values per label; got " + boxes.length + " values for "
          + labels.length + " labels");
    }
    if (scores != null && scores.length != labels.length) {
      throw new IllegalArgumentException("scores must have one entry per box; got " + scores.length + " for "
          + labels.length + " boxes");
    }
    // A NaN box matches nothing and a NaN score has no rank; either would skew AP without a word.
    requireFinite(boxes, "boxes");
    if (scores != null) {
      requireFinite(scores, "scores");
    }
    this.boxes = boxes.clone();
    this.scores = scores == null ? null : scores.clone();
    this.labels = labels.clone();
  }

  private static void requireFinite(float[] v, String name) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException(name + " must be finite; element " + i + " is " + v[i]);
      }
    }
  }

  /** Ground truth: boxes and labels. */
  public static Detections groundTruth(float[] boxes, int[] labels) {
    return new Detections(boxes, null, labels);
  }

  /** Predictions: boxes, scores and labels. */
  public static Detections predictions(float[] boxes, float[] scores, int[] labels) {
    if (scores == null) {
      throw new IllegalArgumentException("predictions need scores");
    }
    return new Detections(boxes, scores, labels);
  }

  public int size() {
    return labels.length;
  }

  public float box(int i, int k) {
    return boxes[4 * i + k];
  }

  public float score(int i) {
    return scores == null ? 1f : scores[i];
  }

  public int label(int i) {
    return labels[i];
  }

  /** A copy of the packed boxes. */
  public float[] boxes() {
    return boxes.clone();
  }

  /**
   * The same objects (labels, scores) at other places: {@code boxes} (packed {@code 4*i+k}, one
   * box per object, copied) replaces the boxes, as when mapping detections between image frames.
   *
   * @throws IllegalArgumentException if {@code boxes} does not hold 4 values per object or has a
   *     NaN or infinite value
   */
  public Detections withBoxes(float[] boxes) {
    return new Detections(boxes, scores, labels);
  }

  @Override
  public String toString() {
    return "Detections(" + labels.length + " boxes, labels=" + Arrays.toString(labels) + ")";
  }
}
