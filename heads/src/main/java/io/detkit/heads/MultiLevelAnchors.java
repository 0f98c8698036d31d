package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link AnchorHead#getAnchors} returns, MMDetection's {@code (anchor_list, valid_flag_list)}:
 * the anchors of every level, shared by all images of the batch, and per image and level the
 * valid flags (an anchor is valid when its feature-map cell lies on the padded image).
 *
 * <p>Level {@code l} has {@code numAnchors(l) = H_l * W_l * A_l} anchors, (x1, y1, x2, y2), in the
 * generator's order: anchor {@code (y*W + x)*A + a}. "Flat" indices run over all levels
 * concatenated, level 0 first, as in MMDetection's {@code torch.cat(anchor_list[i])}.
 *
 * <p>Immutable; array getters return copies. Each image's inside anchors are kept once a step computed
 * them (package-private {@code InsideAnchorCache}), for the steps that get these anchors again.
 */
public final class MultiLevelAnchors {
  private final DataType dtype;
  private final List<int[]> featmapSizes;
  private final int[] numLevelAnchors;
  private final int[] levelStart;
  private final double[] flatAnchors;
  private final List<boolean[]> flatValidFlags;
  // Each image's inside anchors, kept for the steps that get these anchors again (see AnchorGrid).
  private final InsideAnchorCache insideCache;

  private MultiLevelAnchors(DataType dtype, List<int[]> featmapSizes, int[] numLevelAnchors, double[] flatAnchors,
      List<boolean[]> flatValidFlags) {
    this.dtype = dtype;
    this.featmapSizes = featmapSizes;
    this.numLevelAnchors = numLevelAnchors;
    this.levelStart = new int[numLevelAnchors.length + 1];
    for (int l = 0; l < numLevelAnchors.length; l++) {
      levelStart[l + 1] = levelStart[l] + numLevelAnchors[l];
    }
    this.flatAnchors = flatAnchors;
    this.flatValidFlags = flatValidFlags;
    this.insideCache = new InsideAnchorCache(flatValidFlags.size());
  }

  /**
   * Anchors from per-level data.
   *
   * @param dtype the floating-point type the anchors are handed out in
   * @param featmapSizes (h, w) per level, h, w &gt;= 0
   * @param levelAnchors per level, {@code numAnchors(l) * 4} finite coordinates (x1, y1, x2, y2) in
   *     C order, {@code numAnchors(l)} a multiple of {@code h * w}
   * @param validFlags per image, per level, one flag per anchor
   * @throws IllegalArgumentException if an argument or element is null, {@code dtype} is not
   *     floating point, a size is not {@code (h, w)} with h, w &gt;= 0, a coordinate is not finite, or
   *     the lengths do not agree
   */
  public static MultiLevelAnchors of(DataType dtype, List<int[]> featmapSizes, List<double[]> levelAnchors,
      List<List<boolean[]>> validFlags) {
    OutputChecks.requireFloatingType(dtype);
    Tensors.requireNonNull(featmapSizes, "featmap_sizes");
    Tensors.requireNonNull(levelAnchors, "level_anchors");
    Tensors.requireNonNull(validFlags, "valid_flags");
    if (levelAnchors.size() != featmapSizes.size()) {
      throw new IllegalArgumentException("level_anchors must hold one anchor array per level of featmap_sizes ("
          + featmapSizes.size() + "); got " + levelAnchors.size());
    }
    int levels = featmapSizes.size();
    int[] counts = new int[levels];
    int total = 0;
    for (int l = 0; l < levels; l++) {
      int[] hw = featmapSizes.get(l);
      if (hw == null || hw.length != 2 || hw[0] < 0 || hw[1] < 0) {
        throw new IllegalArgumentException("featmap_sizes[" + l + "] must be (h, w) with h, w >= 0; got "
            + (hw == null ? "null" : Arrays.toString(hw)));
      }
      double[] a = Tensors.requireNonNull(levelAnchors.get(l), "level_anchors[" + l + "]");
      if (a.length % 4 != 0) {
        throw new IllegalArgumentException("anchors of level " + l + " must hold 4 values per anchor; got "
            + a.length + " values");
      }
      Tensors.requireFinite(a, "level_anchors[" + l + "]");
      counts[l] = a.length / 4;
      long cells = (long) hw[0] * hw[1];
      if (cells == 0 ? counts[l] != 0 : counts[l] % cells != 0) {
        throw new IllegalArgumentException("level_anchors[" + l + "] must hold a whole number of anchors per cell of"
            + " the " + hw[0] + "x" + hw[1] + " feature map; got " + counts[l] + " anchors");
      }
      total += counts[l];
    }
    double[] flat = new double[total * 4];
    int off = 0;
    for (double[] a : levelAnchors) {
      System.arraycopy(a, 0, flat, off, a.length);
      off += a.length;
    }
    List<boolean[]> flags = new ArrayList<>();
    for (int i = 0; i < validFlags.size(); i++) {
      List<boolean[]> perLevel = Tensors.requireNonNull(validFlags.get(i), "valid_flags[" + i + "]");
      if (perLevel.size() != levels) {
        throw new IllegalArgumentException("valid flags of image " + i + " must have " + levels + " levels; got "
            + perLevel.size());
      }
      boolean[] f = new boolean[total];
      int o = 0;
      for (int l = 0; l < levels; l++) {
        boolean[] lf = Tensors.requireNonNull(perLevel.get(l), "valid_flags[" + i + "][" + l + "]");
        if (lf.length != counts[l]) {
          throw new IllegalArgumentException("valid flags of image " + i + ", level " + l + " must have "
              + counts[l] + " entries (one per anchor); got " + lf.length);
        }
        System.arraycopy(lf, 0, f, o, lf.length);
        o += lf.length;
      }
      flags.add(f);
    }
    List<int[]> sizes = new ArrayList<>();
    featmapSizes.forEach(s -> sizes.add(s.clone()));
    return new MultiLevelAnchors(dtype, Collections.unmodifiableList(sizes), counts, flat,
        Collections.unmodifiableList(flags));
  }

  /** The dtype anchors are handed out in. */
  public DataType dataType() {
    return dtype;
  }

  /** Number of images. */
  public int numImages() {
    return flatValidFlags.size();
  }

  /** Number of levels. */
  public int numLevels() {
    return numLevelAnchors.length;
  }

  /**
   * (h, w) of {@code level} (copy).
   *
   * <p>Every per-level getter throws {@link IllegalArgumentException} unless
   * {@code 0 <= level < numLevels()}, and every per-image getter unless
   * {@code 0 <= image < numImages()}.
   */
  public int[] featmapSize(int level) {
    return featmapSizes.get(checkLevel(level)).clone();
  }

  /** Every level's (h, w) (copies). */
  public List<int[]> featmapSizes() {
    List<int[]> out = new ArrayList<>();
    featmapSizes.forEach(s -> out.add(s.clone()));
    return out;
  }

  /** Anchors per level, MMDetection's {@code num_level_anchors} (copy). */
  public int[] numLevelAnchors() {
    return numLevelAnchors.clone();
  }

  /** Anchors of {@code level}. */
  public int numAnchors(int level) {
    return numLevelAnchors[checkLevel(level)];
  }

  /** Anchors over all levels. */
  public int totalAnchors() {
    return levelStart[numLevelAnchors.length];
  }

  /** Flat index of the first anchor of {@code level}. */
  public int levelStart(int level) {
    return levelStart[checkLevel(level)];
  }

  /** The anchors of {@code level}: {@code [numAnchors(level), 4]}, a new array the caller owns (may close). */
  public INDArray anchors(int level) {
    int n = numLevelAnchors[checkLevel(level)];
    return Tensors.create(Arrays.copyOfRange(flatAnchors, levelStart[level] * 4, levelStart[level + 1] * 4), dtype,
        n, 4);
  }

  /** All anchors, levels concatenated: {@code [totalAnchors(), 4]}, a new array the caller owns (may close). */
  public INDArray flatAnchors() {
    return Tensors.create(flatAnchors, dtype, totalAnchors(), 4);
  }

  /** All anchors as doubles (exact values of the dtype), levels concatenated (copy). */
  public double[] flatAnchorData() {
    return flatAnchors.clone();
  }

  /** Anchors of {@code level} as doubles (copy). */
  public double[] anchorData(int level) {
    checkLevel(level);
    return Arrays.copyOfRange(flatAnchors, levelStart[level] * 4, levelStart[level + 1] * 4);
  }

  /** Valid flags of {@code image} at {@code level} (copy). */
  public boolean[] validFlags(int image, int level) {
    checkLevel(level);
    return Arrays.copyOfRange(flatValidFlags.get(checkImage(image)), levelStart[level], levelStart[level + 1]);
  }

  /** Valid flags of {@code image} over all levels (copy). */
  public boolean[] flatValidFlags(int image) {
    return flatValidFlags.get(checkImage(image)).clone();
  }

  private int checkLevel(int level) {
    return Tensors.requireIndex(level, numLevelAnchors.length, "level");
  }

  private int checkImage(int image) {
    return Tensors.requireIndex(image, flatValidFlags.size(), "image");
  }

  double[] flatAnchorsNoCopy() {
    return flatAnchors;
  }

  InsideAnchorCache insideCache() {
    return insideCache;
  }

  boolean[] flatValidFlagsNoCopy(int image) {
    return flatValidFlags.get(image);
  }

  @Override
  public String toString() {
    return "MultiLevelAnchors(images=" + numImages() + ", num_level_anchors=" + Arrays.toString(numLevelAnchors)
        + ", dtype=" + dtype + ")";
  }
}
