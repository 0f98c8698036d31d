package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link AnchorHead#getTargets} returns: the per-image {@link ImageTargets} regrouped per
 * level (MMDetection's {@code images_to_levels}) plus the sample counts the losses average by.
 *
 * <p>For level l with {@code A_l} anchors and N images:
 * <ul>
 *   <li>{@link #labels(int)} {@code [N, A_l]} INT64 ({@code num_classes} = background);
 *   <li>{@link #labelWeights(int)} {@code [N, A_l]};
 *   <li>{@link #bboxTargets(int)} and {@link #bboxWeights(int)} {@code [N, A_l, 4]};
 *   <li>{@link #anchors(int)} {@code [N, A_l, 4]} when the per-image step returned anchors (ATSS);
 *   <li>{@link #extra(String, int)}: {@code [N, A_l]} (width 1) or {@code [N, A_l, width]}, for
 *       per-image extras and for level extras the {@code refineBatchTargets} hook attached
 *       ({@link #withLevelExtra}).
 * </ul>
 * {@link #numTotalPos()} and {@link #numTotalNeg()} are sums over images of
 * {@code max(count, 1)}: an image without positives still counts one, as in MMDetection; an image
 * with no anchor inside it ({@link ImageTargets#empty}) counts nothing, so the other images' losses
 * are those of the batch without it; it carries no anchors or extras, and its rows of those read as
 * zeros (the other images are checked against the first image that has inside anchors).
 *
 * <p>Immutable; float arrays are in the anchors' dtype. The per-level ND4J getters
 * ({@link #labels}, {@link #labelWeights}, {@link #bboxTargets}, {@link #bboxWeights},
 * {@link #anchors}) build a new array on each call, which the caller owns and may close once read
 * (ND4J frees a dropped one only when the garbage collector clears it); the {@code *Data} getters
 * read the heap arrays without ND4J.
 */
public final class HeadTargets {
  private final DataType dtype;
  private final int numClasses;
  private final int[] numLevelAnchors;
  private final List<ImageTargets> images;
  private final int numTotalPos;
  private final int numTotalNeg;
  private final Map<String, List<INDArray>> levelExtras;
  private final int epoch;
  // The per-level arrays, gathered once and shared by the copies that keep these images.
  private final LevelArrays levels;

  private HeadTargets(DataType dtype, LevelArrays levels, Map<String, List<INDArray>> levelExtras, int epoch) {
    this.epoch = epoch;
    this.levels = levels;
    this.dtype = dtype;
    this.numClasses = levels.numClasses();
    this.numLevelAnchors = levels.numLevelAnchors();
    this.images = levels.images();
    int pos = 0;
    int neg = 0;
    for (ImageTargets t : images) {
      if (!t.hasInsideAnchors()) {
        continue;  // an image with no anchor inside it takes no part (see ImageTargets#empty)
      }
      pos += Math.max(t.numPositives(), 1);
      neg += Math.max(t.numNegatives(), 1);
    }
    this.numTotalPos = pos;
    this.numTotalNeg = neg;
    this.levelExtras = levelExtras;
  }

  /**
   * Regroups per-image targets.
   *
   * @param dtype floating-point dtype of the float outputs
   * @param numClasses the background label, &gt;= 1
   * @param numLevelAnchors anchors per level, each &gt;= 0 (the per-image targets cover their sum)
   * @param images one per image, at least one
   * @throws IllegalArgumentException if an argument is null, {@code dtype} is not floating point, a
   *     count is negative, there are no images, an image's targets do not cover every anchor, or
   *     images disagree on which outputs they carry
   */
  public static HeadTargets of(DataType dtype, int numClasses, int[] numLevelAnchors, List<ImageTargets> images) {
    OutputChecks.requireFloatingType(dtype);
    Tensors.requireNonNull(numLevelAnchors, "num_level_anchors");
    Tensors.requireNonNull(images, "images");
    if (numClasses < 1) {
      throw new IllegalArgumentException("num_classes must be >= 1; got " + numClasses);
    }
    long total = 0;
    for (int l = 0; l < numLevelAnchors.length; l++) {
      if (numLevelAnchors[l] < 0) {
        throw new IllegalArgumentException("num_level_anchors[" + l + "] must be >= 0; got " + numLevelAnchors[l]);
      }
      total += numLevelAnchors[l];
    }
    if (images.isEmpty()) {
      throw new IllegalArgumentException("images must hold the targets of at least one image; got an empty list");
    }
    for (int i = 0; i < images.size(); i++) {
      Tensors.requireNonNull(images.get(i), "targets of image " + i);
    }
    // An image with no inside anchor (ImageTargets#empty) carries no anchors or extras: its rows read
    // as zeros, and the others are checked against the first image that took part.
    ImageTargets first = LevelArrays.reference(images);
    for (int i = 0; i < images.size(); i++) {
      ImageTargets t = images.get(i);
      if (t.numAnchors() != total) {
        throw new IllegalArgumentException("targets of image " + i + " must cover all " + total
            + " anchors (unmapped); got " + t.numAnchors());
      }
      if (!t.hasInsideAnchors()) {
        continue;
      }
      if ((t.anchorsNoCopy() == null) != (first.anchorsNoCopy() == null)
          || !t.extraNames().equals(first.extraNames())) {
        throw new IllegalArgumentException("image " + i + " carries other outputs than the first image with an"
            + " inside anchor (anchors "
            + (t.anchorsNoCopy() != null) + " vs " + (first.anchorsNoCopy() != null) + ", extras " + t.extraNames()
            + " vs " + first.extraNames() + ")");
      }
      for (String name : first.extraNames()) {
        if (t.extras().get(name).width() != first.extras().get(name).width()) {
          throw new IllegalArgumentException("extra '" + name + "' has another width in image " + i);
        }
      }
    }
    return new HeadTargets(dtype, new LevelArrays(numClasses, numLevelAnchors.clone(), List.copyOf(images)),
        Map.of(), 0);
  }

  /**
   * The training epoch the targets were computed in (see {@link SingleImageInput#epoch()}); the loss
   * hooks read it through {@link LevelLosses#epoch()}.
   */
  public int epoch() {
    return epoch;
  }

  /**
   * A copy computed in training epoch {@code epoch}.
   *
   * @throws IllegalArgumentException if {@code epoch < 0}
   */
  public HeadTargets withEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0; got " + epoch);
    }
    return new HeadTargets(dtype, levels, levelExtras, epoch);
  }

  /** The dtype of the float outputs. */
  public DataType dataType() {
    return dtype;
  }

  /** The background label. */
  public int numClasses() {
    return numClasses;
  }

  /** Number of images. */
  public int numImages() {
    return images.size();
  }

  /** Number of levels. */
  public int numLevels() {
    return numLevelAnchors.length;
  }

  /** Anchors per level (copy). */
  public int[] numLevelAnchors() {
    return numLevelAnchors.clone();
  }

  /** Sum over images with an inside anchor of {@code max(#positives, 1)}. */
  public int numTotalPos() {
    return numTotalPos;
  }

  /** Sum over images with an inside anchor of {@code max(#negatives, 1)}. */
  public int numTotalNeg() {
    return numTotalNeg;
  }

  /**
   * The targets of image {@code i}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= i < numImages()}
   */
  public ImageTargets image(int i) {
    return images.get(Tensors.requireIndex(i, images.size(), "image"));
  }

  /** The per-image targets. */
  public List<ImageTargets> images() {
    return images;
  }

  /**
   * Labels of {@code level}: {@code [N, A_l]} INT64.
   *
   * <p>Every per-level getter here throws {@link IllegalArgumentException} unless
   * {@code 0 <= level < numLevels()}.
   */
  public INDArray labels(int level) {
    return Tensors.createLong(levels.labels(level), images.size(), numLevelAnchors[level]);
  }

  /** Classification weights of {@code level}: {@code [N, A_l]}. */
  public INDArray labelWeights(int level) {
    return Tensors.create(levels.labelWeights(level), dtype, images.size(), numLevelAnchors[level]);
  }

  /** Regression targets of {@code level}: {@code [N, A_l, 4]}. */
  public INDArray bboxTargets(int level) {
    return Tensors.create(levels.bboxTargets(level), dtype, images.size(), numLevelAnchors[level], 4);
  }

  /** Regression weights of {@code level}: {@code [N, A_l, 4]}. */
  public INDArray bboxWeights(int level) {
    return Tensors.create(levels.bboxWeights(level), dtype, images.size(), numLevelAnchors[level], 4);
  }

  /** Anchors of {@code level} {@code [N, A_l, 4]}, when the per-image step returned them. */
  public Optional<INDArray> anchors(int level) {
    double[] a = levels.anchors(level);
    return a == null ? Optional.empty()
        : Optional.of(Tensors.create(a, dtype, images.size(), numLevelAnchors[level], 4));
  }

  /** Names of the extras (per-image ones first, then level extras). */
  public Set<String> extraNames() {
    Set<String> out = new java.util.LinkedHashSet<>(LevelArrays.reference(images).extraNames());
    out.addAll(levelExtras.keySet());
    return Collections.unmodifiableSet(out);
  }

  /**
   * Extra {@code name} of {@code level}: {@code [N, A_l]} or {@code [N, A_l, width]}; empty when
   * there is no such extra.
   *
   * @throws IllegalArgumentException if {@code name} is null or {@code level} is out of range
   */
  public Optional<INDArray> extra(String name, int level) {
    Tensors.requireNonNull(name, "name");
    levels.checkLevel(level);
    List<INDArray> lv = levelExtras.get(name);
    if (lv != null) {
      return Optional.of(lv.get(level));
    }
    ImageTargets.Extra e = LevelArrays.reference(images).extras().get(name);
    if (e == null) {
      return Optional.empty();
    }
    int w = e.width();
    double[] d = levels.gather(level, w, t -> t.extras().containsKey(name) ? t.extras().get(name).raw() : null);
    return Optional.of(w == 1 ? Tensors.create(d, dtype, images.size(), numLevelAnchors[level])
        : Tensors.create(d, dtype, images.size(), numLevelAnchors[level], w));
  }

  /**
   * A copy with a level extra: one array per level, {@code [N, A_l]} or {@code [N, A_l, width]}.
   * This is how the {@code refineBatchTargets} hook adds batch-level targets (ATSS's centerness).
   *
   * @throws IllegalArgumentException if {@code name} or the list is null, or the list does not have
   *     one array per level of the right leading shape
   */
  public HeadTargets withLevelExtra(String name, List<INDArray> perLevel) {
    Tensors.requireNonNull(name, "name");
    Tensors.requireNonNull(perLevel, "per_level");
    if (perLevel.size() != numLevelAnchors.length) {
      throw new IllegalArgumentException("extra '" + name + "' needs one array per level (" + numLevelAnchors.length
          + "); got " + perLevel.size());
    }
    for (int l = 0; l < perLevel.size(); l++) {
      INDArray a = Tensors.requireNonNull(perLevel.get(l), "extra '" + name + "' of level " + l);
      if (a.rank() < 2 || a.size(0) != images.size() || a.size(1) != numLevelAnchors[l]) {
        throw new IllegalArgumentException("extra '" + name + "' of level " + l + " must be [" + images.size() + ","
            + numLevelAnchors[l] + ",...]; got " + Tensors.shapeOf(a));
      }
    }
    Map<String, List<INDArray>> copy = new LinkedHashMap<>(levelExtras);
    copy.put(name, List.copyOf(perLevel));
    return new HeadTargets(dtype, levels, Collections.unmodifiableMap(copy), epoch);
  }

  /**
   * A copy whose image targets are replaced (same anchors), for overrides that edit targets.
   *
   * @throws IllegalArgumentException as {@link #of}
   */
  public HeadTargets withImages(List<ImageTargets> newImages) {
    HeadTargets t = of(dtype, numClasses, numLevelAnchors, newImages);
    return new HeadTargets(dtype, t.levels, levelExtras, epoch);
  }

  /** Labels of {@code level} as {@code N * A_l} ints, image-major (copy). */
  public int[] labelsData(int level) {
    return levels.labels(level).clone();
  }

  /** Classification weights of {@code level} as {@code N * A_l} doubles, image-major (copy). */
  public double[] labelWeightsData(int level) {
    return levels.labelWeights(level).clone();
  }

  /** Regression targets of {@code level} as {@code N * A_l * 4} doubles (copy). */
  public double[] bboxTargetsData(int level) {
    return levels.bboxTargets(level).clone();
  }

  /** Regression weights of {@code level} as {@code N * A_l * 4} doubles (copy). */
  public double[] bboxWeightsData(int level) {
    return levels.bboxWeights(level).clone();
  }

  /** Anchors of {@code level} as {@code N * A_l * 4} doubles, or null when not returned (copy). */
  public double[] anchorsData(int level) {
    double[] a = levels.anchors(level);
    return a == null ? null : a.clone();
  }

  /**
   * The rows of {@code level} (image-major, as {@link #labelsData}) whose label is a foreground
   * class, increasing: the level's positives (copy).
   */
  public int[] positiveRows(int level) {
    return levels.positives(level).clone();
  }

  /**
   * The loss path's view of the per-level arrays (see LevelArrays): gathered once per level and
   * kept, never to be written by the caller.
   */
  LevelArrays levels() {
    return levels;
  }

  /** The per-level arrays of every output, for debugging: name to list over levels. */
  public Map<String, List<INDArray>> asMap() {
    Map<String, List<INDArray>> out = new LinkedHashMap<>();
    List<INDArray> l = new ArrayList<>();
    List<INDArray> lw = new ArrayList<>();
    List<INDArray> bt = new ArrayList<>();
    List<INDArray> bw = new ArrayList<>();
    for (int level = 0; level < numLevels(); level++) {
      l.add(labels(level));
      lw.add(labelWeights(level));
      bt.add(bboxTargets(level));
      bw.add(bboxWeights(level));
    }
    out.put("labels", l);
    out.put("label_weights", lw);
    out.put("bbox_targets", bt);
    out.put("bbox_weights", bw);
    return out;
  }

  @Override
  public String toString() {
    return "HeadTargets(images=" + images.size() + ", num_level_anchors=" + java.util.Arrays.toString(numLevelAnchors)
        + ", num_total_pos=" + numTotalPos + ", num_total_neg=" + numTotalNeg + ")";
  }
}
