package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * MMDetection's {@code images_to_levels} and its inverse on flat primitive arrays: per-image arrays
 * hold {@code width} values for each prior (anchor or point) of all levels concatenated, level 0
 * first; per-level arrays hold, image after image, the values of that level's priors.
 *
 * <p>Every method throws {@link IllegalArgumentException} for a null argument, a negative count or
 * arrays whose lengths do not fit the counts, naming the argument. Stateless and thread-safe.
 */
public final class ImagesToLevels {
  private ImagesToLevels() {}

  /**
   * Where each level starts in a per-image array, in priors: {@code levels + 1} values, the last
   * the total.
   */
  public static int[] levelStarts(int[] numLevelPriors) {
    Tensors.requireNonNull(numLevelPriors, "num_level_priors");
    int[] start = new int[numLevelPriors.length + 1];
    for (int l = 0; l < numLevelPriors.length; l++) {
      if (numLevelPriors[l] < 0) {
        throw new IllegalArgumentException("num_level_priors[" + l + "] must be >= 0; got " + numLevelPriors[l]);
      }
      start[l + 1] = Math.addExact(start[l], numLevelPriors[l]);
    }
    return start;
  }

  /**
   * Level {@code level} of per-image arrays: {@code N * numLevelPriors[level] * width} values, image
   * after image.
   *
   * @param perImage one array per image, {@code width} values per prior of all levels
   */
  public static double[] level(List<double[]> perImage, int[] numLevelPriors, int level, int width) {
    int[] start = levelStarts(numLevelPriors);
    Tensors.requireIndex(level, numLevelPriors.length, "level");
    int n = numLevelPriors[level] * width;
    double[] out = new double[perImage.size() * n];
    for (int i = 0; i < perImage.size(); i++) {
      double[] img = Tensors.requireNonNull(perImage.get(i), "per_image[" + i + "]");
      checkLength(img.length, start[numLevelPriors.length] * (long) width, i);
      System.arraycopy(img, start[level] * width, out, i * n, n);
    }
    return out;
  }

  /** {@link #level(List, int[], int, int)} for one int per prior (labels). */
  public static int[] level(List<int[]> perImage, int[] numLevelPriors, int level) {
    int[] start = levelStarts(numLevelPriors);
    Tensors.requireIndex(level, numLevelPriors.length, "level");
    int n = numLevelPriors[level];
    int[] out = new int[perImage.size() * n];
    for (int i = 0; i < perImage.size(); i++) {
      int[] img = Tensors.requireNonNull(perImage.get(i), "per_image[" + i + "]");
      checkLength(img.length, start[numLevelPriors.length], i);
      System.arraycopy(img, start[level], out, i * n, n);
    }
    return out;
  }

  /** Every level of per-image arrays ({@link #level(List, int[], int, int)} for each level). */
  public static List<double[]> levels(List<double[]> perImage, int[] numLevelPriors, int width) {
    List<double[]> out = new ArrayList<>(numLevelPriors.length);
    for (int l = 0; l < numLevelPriors.length; l++) {
      out.add(level(perImage, numLevelPriors, l, width));
    }
    return out;
  }

  /**
   * The inverse: image {@code image}'s per-image array from per-level arrays (each
   * {@code N * numLevelPriors[l] * width} values).
   */
  public static double[] image(List<double[]> perLevel, int[] numLevelPriors, int numImages, int image, int width) {
    Tensors.requireNonNull(perLevel, "per_level");
    Tensors.requireIndex(image, numImages, "image");
    if (perLevel.size() != numLevelPriors.length) {
      throw new IllegalArgumentException("per_level must hold one array per level (" + numLevelPriors.length
          + "); got " + perLevel.size());
    }
    int[] start = levelStarts(numLevelPriors);
    double[] out = new double[start[numLevelPriors.length] * width];
    for (int l = 0; l < perLevel.size(); l++) {
      double[] lv = Tensors.requireNonNull(perLevel.get(l), "per_level[" + l + "]");
      int n = numLevelPriors[l] * width;
      if (lv.length != (long) n * numImages) {
        throw new IllegalArgumentException("per_level[" + l + "] must hold " + (long) n * numImages + " values ("
            + numImages + " images x " + numLevelPriors[l] + " priors x " + width + "); got " + lv.length);
      }
      System.arraycopy(lv, image * n, out, start[l] * width, n);
    }
    return out;
  }

  /**
   * Image {@code image}'s share of one level's batch array ({@code numImages} equal slices,
   * image-major): e.g. its rows of an NCHW output read as doubles.
   */
  public static double[] imageSlice(double[] levelData, int numImages, int image) {
    Tensors.requireNonNull(levelData, "level_data");
    Tensors.requireIndex(image, numImages, "image");
    if (levelData.length % numImages != 0) {
      throw new IllegalArgumentException("level_data must split into " + numImages + " equal slices; got "
          + levelData.length + " values");
    }
    int per = levelData.length / numImages;
    return java.util.Arrays.copyOfRange(levelData, image * per, (image + 1) * per);
  }

  private static void checkLength(int got, long expected, int image) {
    if (got != expected) {
      throw new IllegalArgumentException("per_image[" + image + "] must hold " + expected
          + " values (every prior of every level); got " + got);
    }
  }
}
