package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The per-level primitive arrays of one batch of per-image targets (MMDetection's
 * {@code images_to_levels} over {@link ImageTargets}), each gathered on first use and kept: the
 * loss path reads the same level several times in a step (each loss term and hook), and the copies
 * of a {@link HeadTargets} that keep its images ({@code withEpoch}, {@code withLevelExtra}) share
 * one instance, so each array is gathered once per batch.
 *
 * <p>Apart from {@link HeadTargets} because it is a different job: {@code HeadTargets} is the
 * immutable public value (validation, counts, ND4J views, level extras), this is the package's
 * mutable, lazily filled cache behind it, with its own locking. Every reader returns the cached
 * array itself, never to be written by the caller; {@code HeadTargets}' public getters copy.
 *
 * <p>Thread-safe: arrays are gathered under this object's lock, so targets shared by threads gather
 * each array once and publish it safely. Every per-level reader throws
 * {@link IllegalArgumentException} unless {@code 0 <= level < numLevels}.
 */
final class LevelArrays {
  /** What a slot of the cache holds. */
  private enum Kind { LABELS, LABEL_WEIGHTS, BBOX_TARGETS, BBOX_WEIGHTS, ANCHORS, POSITIVES }

  private final int numClasses;
  private final int[] numLevelAnchors;
  private final List<ImageTargets> images;
  // [kind][level]: null until gathered
  private final Object[][] slots;

  /**
   * @param numClasses the background label (labels in {@code [0, numClasses)} are positives)
   * @param numLevelAnchors anchors per level; kept, not copied
   * @param images the per-image targets, already checked to cover every anchor; kept, not copied
   */
  LevelArrays(int numClasses, int[] numLevelAnchors, List<ImageTargets> images) {
    this.numClasses = numClasses;
    this.numLevelAnchors = numLevelAnchors;
    this.images = images;
    this.slots = new Object[Kind.values().length][numLevelAnchors.length];
  }

  /**
   * The first image with an inside anchor (the one whose anchors and extras the others match), else
   * image 0.
   */
  static ImageTargets reference(List<ImageTargets> images) {
    for (ImageTargets t : images) {
      if (t.hasInsideAnchors()) {
        return t;
      }
    }
    return images.get(0);
  }

  int numClasses() {
    return numClasses;
  }

  int[] numLevelAnchors() {
    return numLevelAnchors;
  }

  List<ImageTargets> images() {
    return images;
  }

  /** Labels of {@code level}, {@code N * A_l} ints, image-major. */
  int[] labels(int level) {
    return (int[]) get(level, Kind.LABELS, () -> {
      List<int[]> perImage = new ArrayList<>(images.size());
      images.forEach(t -> perImage.add(t.labels()));
      return ImagesToLevels.level(perImage, numLevelAnchors, level);
    });
  }

  /** Classification weights of {@code level}, {@code N * A_l} doubles. */
  double[] labelWeights(int level) {
    return gatherOnce(level, Kind.LABEL_WEIGHTS, 1, ImageTargets::labelWeights);
  }

  /** Regression targets of {@code level}, {@code N * A_l * 4} doubles. */
  double[] bboxTargets(int level) {
    return gatherOnce(level, Kind.BBOX_TARGETS, 4, ImageTargets::bboxTargets);
  }

  /** Regression weights of {@code level}, {@code N * A_l * 4} doubles. */
  double[] bboxWeights(int level) {
    return gatherOnce(level, Kind.BBOX_WEIGHTS, 4, ImageTargets::bboxWeights);
  }

  /** Anchors of {@code level}, {@code N * A_l * 4} doubles, or null when the images carry none. */
  double[] anchors(int level) {
    checkLevel(level);
    return reference(images).anchorsNoCopy() == null ? null
        : gatherOnce(level, Kind.ANCHORS, 4, ImageTargets::anchorsNoCopy);
  }

  /** The rows of {@code level} (image-major) whose label is a foreground class, increasing. */
  int[] positives(int level) {
    return (int[]) get(level, Kind.POSITIVES, () -> {
      int[] labels = labels(level);
      // Counted first: a level's positives are a few dozen of its rows, not worth a rows-long array.
      int m = 0;
      for (int label : labels) {
        m += label >= 0 && label < numClasses ? 1 : 0;
      }
      int[] rows = new int[m];
      m = 0;
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] >= 0 && labels[i] < numClasses) {
          rows[m++] = i;
        }
      }
      return rows;
    });
  }

  /**
   * The {@code width} values of each given row of {@code level} (image-major rows, as
   * {@link #labels}) of a per-image field, read from the images' arrays: what the loss path needs of
   * the positives' box targets and anchors, without gathering (and keeping) the whole level.
   *
   * @param name the field's name, for the error message
   * @throws IllegalArgumentException unless {@code 0 <= level < numLevels}
   * @throws IllegalStateException if a requested row's image has no such array (null: an image with
   *     no inside anchor, which has no positive row either; zeros there would hide the mismatch)
   */
  double[] rowsAt(int level, int[] rows, int width, Function<ImageTargets, double[]> field, String name) {
    int n = numLevelAnchors[checkLevel(level)];
    int start = ImagesToLevels.levelStarts(numLevelAnchors)[level];
    double[] out = new double[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      int imageIndex = rows[r] / n;
      double[] image = field.apply(images.get(imageIndex));
      if (image == null) {
        throw new IllegalStateException("image " + imageIndex + " has no " + name + " array, but row " + rows[r]
            + " of level " + level + " is requested of it");
      }
      System.arraycopy(image, (start + rows[r] % n) * width, out, r * width, width);
    }
    return out;
  }

  /**
   * Level {@code level} of a per-image field of {@code width} values per anchor, gathered afresh
   * (not kept: for the extras, read once per step); an image whose field is null (no inside anchor)
   * reads as zeros.
   */
  double[] gather(int level, int width, Function<ImageTargets, double[]> field) {
    checkLevel(level);
    List<double[]> perImage = new ArrayList<>(images.size());
    for (ImageTargets t : images) {
      double[] v = field.apply(t);
      perImage.add(v != null ? v : new double[t.numAnchors() * width]);  // an image with no inside anchor
    }
    return ImagesToLevels.level(perImage, numLevelAnchors, level, width);
  }

  int checkLevel(int level) {
    return Tensors.requireIndex(level, numLevelAnchors.length, "level");
  }

  private double[] gatherOnce(int level, Kind slot, int width, Function<ImageTargets, double[]> field) {
    return (double[]) get(level, slot, () -> gather(level, width, field));
  }

  // Reentrant: positives() gathers labels() under the same lock.
  private synchronized Object get(int level, Kind slot, Supplier<Object> make) {
    Object v = slots[slot.ordinal()][checkLevel(level)];
    if (v == null) {
      v = make.get();
      slots[slot.ordinal()][level] = v;
    }
    return v;
  }
}
