package io.detkit.heads;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import io.detkit.samplers.SamplingResult;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The training targets of one image, what a head's per-image step
 * ({@link AnchorHead#getTargetsSingle}) and its target hook ({@link AnchorHead#refineTargets})
 * return: MMDetection's {@code _get_targets_single} tuple,
 * over all anchors of the image (levels concatenated, "flat" indices) after {@code unmap}.
 *
 * <ul>
 *   <li>{@code labels[i]}: class of anchor i for positives, {@code num_classes} (background) for
 *       everything else, including anchors outside the image;
 *   <li>{@code label_weights[i]}: weight of anchor i in the classification loss; MMDetection gives
 *       sampled positives {@code pos_weight} (1 when {@code <= 0}), sampled negatives 1, the rest 0;
 *   <li>{@code bbox_targets[4i..4i+3]}: the regression target of positive i (encoded deltas, or the
 *       gt box itself when {@code reg_decoded_bbox}); 0 elsewhere;
 *   <li>{@code bbox_weights[4i..4i+3]}: weight of each coordinate in the regression loss (1 for
 *       positives, 0 elsewhere, by default);
 *   <li>{@code anchors}: optionally the anchors themselves (ATSS returns them, zero outside);
 *   <li>positives and negatives as flat anchor indices (sorted), and the 0-based gt index of each
 *       positive;
 *   <li>the {@link AssignResult} and {@link SamplingResult} computed over the inside anchors only,
 *       in flat order ({@link #insideIndices()} maps their index k to flat index);
 *   <li>extras: named per-anchor values a subclass adds ({@code width} values per anchor); the head
 *       splits them per level like the other targets (MMDetection's "user-added return values").
 * </ul>
 *
 * <p>Immutable; getters return copies, the {@code with*} methods return modified copies. A subclass
 * that reweights anchors reads {@link #labelWeights()}, changes it and returns
 * {@link #withLabelWeights(double[])}.
 */
public final class ImageTargets {
  private final boolean[] insideFlags;
  private final int[] labels;
  private final double[] labelWeights;
  private final double[] bboxTargets;
  private final double[] bboxWeights;
  private final double[] anchors;
  private final int[] posInds;
  private final int[] posGtInds;
  private final int[] negInds;
  private final AssignResult assignResult;
  private final SamplingResult samplingResult;
  private final Map<String, Extra> extras;

  /** Per-anchor values a subclass attaches: {@code width} values per anchor. */
  public record Extra(int width, double[] data) {
    /** @throws IllegalArgumentException if width is not positive or {@code data} is null */
    public Extra {
      if (width < 1) {
        throw new IllegalArgumentException("extra width must be >= 1; got " + width);
      }
      data = copy(data, "extra data");
    }

    /** The {@code width} values of every anchor, anchor-major (copy). */
    @Override
    public double[] data() {
      return data.clone();
    }

    double[] raw() {
      return data;
    }
  }

  private ImageTargets(boolean[] insideFlags, int[] labels, double[] labelWeights, double[] bboxTargets,
      double[] bboxWeights, double[] anchors, int[] posInds, int[] posGtInds, int[] negInds,
      AssignResult assignResult, SamplingResult samplingResult, Map<String, Extra> extras) {
    int n = insideFlags.length;
    check(labels.length, n, "labels");
    check(labelWeights.length, n, "label_weights");
    check(bboxTargets.length, n * 4, "bbox_targets");
    check(bboxWeights.length, n * 4, "bbox_weights");
    if (anchors != null) {
      check(anchors.length, n * 4, "anchors");
    }
    if (posGtInds.length != posInds.length) {
      throw new IllegalArgumentException("need one gt index per positive (" + posInds.length + "); got "
          + posGtInds.length);
    }
    checkIndices(posInds, n, "pos_inds");
    checkIndices(negInds, n, "neg_inds");
    for (Map.Entry<String, Extra> e : extras.entrySet()) {
      check(e.getValue().data.length, n * e.getValue().width(), "extra '" + e.getKey() + "'");
    }
    this.insideFlags = insideFlags;
    this.labels = labels;
    this.labelWeights = labelWeights;
    this.bboxTargets = bboxTargets;
    this.bboxWeights = bboxWeights;
    this.anchors = anchors;
    this.posInds = posInds;
    this.posGtInds = posGtInds;
    this.negInds = negInds;
    this.assignResult = Tensors.requireNonNull(assignResult, "assignResult");
    this.samplingResult = samplingResult;
    this.extras = extras;
  }

  private static double[] copy(double[] a, String name) {
    return Tensors.requireNonNull(a, name).clone();
  }

  private static int[] copy(int[] a, String name) {
    return Tensors.requireNonNull(a, name).clone();
  }

  private static void check(int got, int expected, String name) {
    if (got != expected) {
      throw new IllegalArgumentException(name + " must have " + expected + " values; got " + got);
    }
  }

  private static void checkIndices(int[] inds, int n, String name) {
    for (int i = 0; i < inds.length; i++) {
      if (inds[i] < 0 || inds[i] >= n || (i > 0 && inds[i] <= inds[i - 1])) {
        throw new IllegalArgumentException(name + " must be increasing flat anchor indices in [0, " + n + "); got "
            + inds[i] + " at position " + i);
      }
    }
  }

  /**
   * Targets over all {@code insideFlags.length} anchors of an image.
   *
   * @param insideFlags which anchors took part
   * @param labels one per anchor
   * @param labelWeights one per anchor
   * @param bboxTargets four per anchor
   * @param bboxWeights four per anchor
   * @param anchors four per anchor, or null
   * @param posInds flat indices of positives, increasing
   * @param posGtInds 0-based gt index of each positive
   * @param negInds flat indices of negatives, increasing
   * @param assignResult the assignment of the inside anchors
   * @param samplingResult the sampling of the inside anchors, or null
   * @throws IllegalArgumentException if an array other than {@code anchors}, or
   *     {@code assignResult}, is null, lengths disagree, or indices are out of range or unsorted
   */
  public static ImageTargets of(boolean[] insideFlags, int[] labels, double[] labelWeights, double[] bboxTargets,
      double[] bboxWeights, double[] anchors, int[] posInds, int[] posGtInds, int[] negInds,
      AssignResult assignResult, SamplingResult samplingResult) {
    return new ImageTargets(Tensors.requireNonNull(insideFlags, "inside_flags").clone(), copy(labels, "labels"),
        copy(labelWeights, "label_weights"), copy(bboxTargets, "bbox_targets"), copy(bboxWeights, "bbox_weights"),
        anchors == null ? null : anchors.clone(), copy(posInds, "pos_inds"), copy(posGtInds, "pos_gt_inds"),
        copy(negInds, "neg_inds"), assignResult, samplingResult, Map.of());
  }

  /**
   * The targets of an image with no anchor inside it (every anchor invalid or outside
   * {@code allowed_border}, e.g. {@code img_shape} (0, 0)): all background with weight 0, no
   * positives or negatives, an assignment over no anchors. Such an image adds nothing to the
   * losses or to {@code num_total_pos}/{@code num_total_neg}; the other images of its batch train
   * as usual (MMDetection drops the whole batch instead).
   *
   * @param numAnchors anchors of the image over all levels, &gt;= 0
   * @param numClasses the background label
   * @param numGts the image's ground-truth count, for the empty assignment
   * @throws IllegalArgumentException if a count is negative
   */
  public static ImageTargets empty(int numAnchors, int numClasses, int numGts) {
    if (numAnchors < 0 || numGts < 0) {
      throw new IllegalArgumentException("num_anchors and num_gts must be >= 0; got " + numAnchors + ", " + numGts);
    }
    int[] labels = new int[numAnchors];
    java.util.Arrays.fill(labels, numClasses);
    double[] four = new double[numAnchors * 4];
    return new ImageTargets(new boolean[numAnchors], labels, new double[numAnchors], four, four, null, new int[0],
        new int[0], new int[0], AssignResult.allNegative(numGts, 0, false), null, Map.of());
  }

  /** Whether some anchor took part (false for {@link #empty} targets). */
  public boolean hasInsideAnchors() {
    for (boolean f : insideFlags) {
      if (f) {
        return true;
      }
    }
    return false;
  }

  /** Number of anchors of the image (all levels). */
  public int numAnchors() {
    return insideFlags.length;
  }

  /** Which anchors took part in training (copy). */
  public boolean[] insideFlags() {
    return insideFlags.clone();
  }

  /** Flat index of each inside anchor: index k of the assign/sampling results is anchor {@code insideIndices()[k]}. */
  public int[] insideIndices() {
    return AnchorUtils.indicesOf(insideFlags);
  }

  /** Labels, one per anchor (copy). */
  public int[] labels() {
    return labels.clone();
  }

  /** Classification weights, one per anchor (copy). */
  public double[] labelWeights() {
    return labelWeights.clone();
  }

  /** Regression targets, four per anchor (copy). */
  public double[] bboxTargets() {
    return bboxTargets.clone();
  }

  /** Regression weights, four per anchor (copy). */
  public double[] bboxWeights() {
    return bboxWeights.clone();
  }

  /** The anchors, four per anchor, when the step returned them (copy). */
  public Optional<double[]> anchors() {
    return Optional.ofNullable(anchors == null ? null : anchors.clone());
  }

  /** Number of positives (sampled). */
  public int numPositives() {
    return posInds.length;
  }

  /** Number of negatives (sampled). */
  public int numNegatives() {
    return negInds.length;
  }

  /** Flat anchor indices of the positives, increasing (copy). */
  public int[] posInds() {
    return posInds.clone();
  }

  /** The 0-based gt index of each positive, aligned with {@link #posInds()} (copy). */
  public int[] posGtInds() {
    return posGtInds.clone();
  }

  /** Flat anchor indices of the negatives, increasing (copy). */
  public int[] negInds() {
    return negInds.clone();
  }

  /** The assigner's result over the inside anchors. */
  public AssignResult assignResult() {
    return assignResult;
  }

  /** The sampler's result over the inside anchors, when the step sampled. */
  public Optional<SamplingResult> samplingResult() {
    return Optional.ofNullable(samplingResult);
  }

  /** Names of the extras. */
  public Set<String> extraNames() {
    return extras.keySet();
  }

  /**
   * Extra {@code name}, if present.
   *
   * @throws IllegalArgumentException if {@code name} is null
   */
  public Optional<Extra> extra(String name) {
    return Optional.ofNullable(extras.get(Tensors.requireNonNull(name, "name")));
  }

  /*
   * The with* copies below throw IllegalArgumentException, naming the array, when it is null or
   * does not have the documented number of values per anchor.
   */

  /** A copy with other classification weights (one per anchor). */
  public ImageTargets withLabelWeights(double[] labelWeights) {
    return new ImageTargets(insideFlags, labels, copy(labelWeights, "label_weights"), bboxTargets, bboxWeights,
        anchors, posInds, posGtInds, negInds, assignResult, samplingResult, extras);
  }

  /** A copy with other regression weights (four per anchor). */
  public ImageTargets withBboxWeights(double[] bboxWeights) {
    return new ImageTargets(insideFlags, labels, labelWeights, bboxTargets, copy(bboxWeights, "bbox_weights"),
        anchors, posInds, posGtInds, negInds, assignResult, samplingResult, extras);
  }

  /** A copy with other labels (one per anchor). */
  public ImageTargets withLabels(int[] labels) {
    return new ImageTargets(insideFlags, copy(labels, "labels"), labelWeights, bboxTargets, bboxWeights, anchors,
        posInds, posGtInds, negInds, assignResult, samplingResult, extras);
  }

  /** A copy with other regression targets (four per anchor). */
  public ImageTargets withBboxTargets(double[] bboxTargets) {
    return new ImageTargets(insideFlags, labels, labelWeights, copy(bboxTargets, "bbox_targets"), bboxWeights,
        anchors, posInds, posGtInds, negInds, assignResult, samplingResult, extras);
  }

  /** A copy that also carries the anchors (four per anchor). */
  public ImageTargets withAnchors(double[] anchors) {
    return new ImageTargets(insideFlags, labels, labelWeights, bboxTargets, bboxWeights, copy(anchors, "anchors"),
        posInds, posGtInds, negInds, assignResult, samplingResult, extras);
  }

  /**
   * A copy with extra {@code name} set to {@code width} values per anchor.
   *
   * @throws IllegalArgumentException if {@code name} or {@code data} is null, {@code width < 1}, or
   *     {@code data} does not hold {@code width} values per anchor
   */
  public ImageTargets withExtra(String name, int width, double[] data) {
    Map<String, Extra> copy = new LinkedHashMap<>(extras);
    copy.put(Tensors.requireNonNull(name, "name"), new Extra(width, data));
    return new ImageTargets(insideFlags, labels, labelWeights, bboxTargets, bboxWeights, anchors, posInds,
        posGtInds, negInds, assignResult, samplingResult, Collections.unmodifiableMap(copy));
  }

  int[] labelsNoCopy() {
    return labels;
  }

  double[] labelWeightsNoCopy() {
    return labelWeights;
  }

  double[] bboxTargetsNoCopy() {
    return bboxTargets;
  }

  double[] bboxWeightsNoCopy() {
    return bboxWeights;
  }

  double[] anchorsNoCopy() {
    return anchors;
  }

  Map<String, Extra> extrasNoCopy() {
    return extras;
  }

  @Override
  public String toString() {
    return "ImageTargets(anchors=" + numAnchors() + ", pos=" + posInds.length + ", neg=" + negInds.length
        + (extras.isEmpty() ? "" : ", extras=" + extras.keySet()) + ")";
  }
}
