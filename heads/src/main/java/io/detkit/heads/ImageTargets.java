package io.detkit.heads;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import io.detkit.samplers.SamplingResult;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

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

  /**
   * The values of one {@code ImageTargets} while they are assembled: {@link #of}, {@link #empty}
   * and every {@code with*} copy fill one, and the constructor checks it once.
   */
  private static final class Parts implements Cloneable {
    boolean[] insideFlags;
    int[] labels;
    double[] labelWeights;
    double[] bboxTargets;
    double[] bboxWeights;
    double[] anchors;
    int[] posInds;
    int[] posGtInds;
    int[] negInds;
    AssignResult assignResult;
    SamplingResult samplingResult;
    Map<String, Extra> extras = Map.of();

    /** A shallow copy: the arrays are never written after construction, so sharing them is safe. */
    @Override
    protected Parts clone() {
      try {
        return (Parts) super.clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private final Parts p;

  private ImageTargets(Parts p) {
    int n = p.insideFlags.length;
    check(p.labels.length, n, "labels");
    check(p.labelWeights.length, n, "label_weights");
    check(p.bboxTargets.length, n * 4, "bbox_targets");
    check(p.bboxWeights.length, n * 4, "bbox_weights");
    if (p.anchors != null) {
      check(p.anchors.length, n * 4, "anchors");
    }
    if (p.posGtInds.length != p.posInds.length) {
      throw new IllegalArgumentException("need one gt index per positive (" + p.posInds.length + "); got "
          + p.posGtInds.length);
    }
    checkIndices(p.posInds, n, "pos_inds");
    checkIndices(p.negInds, n, "neg_inds");
    for (Map.Entry<String, Extra> e : p.extras.entrySet()) {
      check(e.getValue().data.length, n * e.getValue().width(), "extra '" + e.getKey() + "'");
    }
    Tensors.requireNonNull(p.assignResult, "assignResult");
    this.p = p;
  }

  /** A copy with {@code change} applied to (a shallow copy of) these values, checked again. */
  private ImageTargets with(Consumer<Parts> change) {
    Parts q = p.clone();
    change.accept(q);
    return new ImageTargets(q);
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
    Parts p = new Parts();
    p.insideFlags = Tensors.requireNonNull(insideFlags, "inside_flags").clone();
    p.labels = copy(labels, "labels");
    p.labelWeights = copy(labelWeights, "label_weights");
    p.bboxTargets = copy(bboxTargets, "bbox_targets");
    p.bboxWeights = copy(bboxWeights, "bbox_weights");
    p.anchors = anchors == null ? null : anchors.clone();
    p.posInds = copy(posInds, "pos_inds");
    p.posGtInds = copy(posGtInds, "pos_gt_inds");
    p.negInds = copy(negInds, "neg_inds");
    p.assignResult = assignResult;
    p.samplingResult = samplingResult;
    return new ImageTargets(p);
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
    Parts p = new Parts();
    p.insideFlags = new boolean[numAnchors];
    p.labels = new int[numAnchors];
    Arrays.fill(p.labels, numClasses);
    p.labelWeights = new double[numAnchors];
    p.bboxTargets = new double[numAnchors * 4];
    p.bboxWeights = p.bboxTargets;
    p.posInds = new int[0];
    p.posGtInds = p.posInds;
    p.negInds = p.posInds;
    p.assignResult = AssignResult.allNegative(numGts, 0, false);
    return new ImageTargets(p);
  }

  /** Whether some anchor took part (false for {@link #empty} targets). */
  public boolean hasInsideAnchors() {
    for (boolean f : p.insideFlags) {
      if (f) {
        return true;
      }
    }
    return false;
  }

  /** Number of anchors of the image (all levels). */
  public int numAnchors() {
    return p.insideFlags.length;
  }

  /** Which anchors took part in training (copy). */
  public boolean[] insideFlags() {
    return p.insideFlags.clone();
  }

  /** Flat index of each inside anchor: index k of the assign/sampling results is anchor {@code insideIndices()[k]}. */
  public int[] insideIndices() {
    return AnchorUtils.indicesOf(p.insideFlags);
  }

  /** Labels, one per anchor (copy). */
  public int[] labels() {
    return p.labels.clone();
  }

  /** Classification weights, one per anchor (copy). */
  public double[] labelWeights() {
    return p.labelWeights.clone();
  }

  /** Regression targets, four per anchor (copy). */
  public double[] bboxTargets() {
    return p.bboxTargets.clone();
  }

  /** Regression weights, four per anchor (copy). */
  public double[] bboxWeights() {
    return p.bboxWeights.clone();
  }

  /** The anchors, four per anchor, when the step returned them (copy). */
  public Optional<double[]> anchors() {
    return Optional.ofNullable(p.anchors == null ? null : p.anchors.clone());
  }

  /** Number of positives (sampled). */
  public int numPositives() {
    return p.posInds.length;
  }

  /** Number of negatives (sampled). */
  public int numNegatives() {
    return p.negInds.length;
  }

  /** Flat anchor indices of the positives, increasing (copy). */
  public int[] posInds() {
    return p.posInds.clone();
  }

  /** The 0-based gt index of each positive, aligned with {@link #posInds()} (copy). */
  public int[] posGtInds() {
    return p.posGtInds.clone();
  }

  /** Flat anchor indices of the negatives, increasing (copy). */
  public int[] negInds() {
    return p.negInds.clone();
  }

  /** The assigner's result over the inside anchors. */
  public AssignResult assignResult() {
    return p.assignResult;
  }

  /** The sampler's result over the inside anchors, when the step sampled. */
  public Optional<SamplingResult> samplingResult() {
    return Optional.ofNullable(p.samplingResult);
  }

  /** Names of the extras. */
  public Set<String> extraNames() {
    return p.extras.keySet();
  }

  /**
   * Extra {@code name}, if present.
   *
   * @throws IllegalArgumentException if {@code name} is null
   */
  public Optional<Extra> extra(String name) {
    return Optional.ofNullable(p.extras.get(Tensors.requireNonNull(name, "name")));
  }

  /*
   * The with* copies below throw IllegalArgumentException, naming the array, when it is null or
   * does not have the documented number of values per anchor.
   */

  /** A copy with other classification weights (one per anchor). */
  public ImageTargets withLabelWeights(double[] labelWeights) {
    double[] w = copy(labelWeights, "label_weights");
    return with(q -> q.labelWeights = w);
  }

  /** A copy with other regression weights (four per anchor). */
  public ImageTargets withBboxWeights(double[] bboxWeights) {
    double[] w = copy(bboxWeights, "bbox_weights");
    return with(q -> q.bboxWeights = w);
  }

  /** A copy with other labels (one per anchor). */
  public ImageTargets withLabels(int[] labels) {
    int[] l = copy(labels, "labels");
    return with(q -> q.labels = l);
  }

  /** A copy with other regression targets (four per anchor). */
  public ImageTargets withBboxTargets(double[] bboxTargets) {
    double[] t = copy(bboxTargets, "bbox_targets");
    return with(q -> q.bboxTargets = t);
  }

  /** A copy that also carries the anchors (four per anchor). */
  public ImageTargets withAnchors(double[] anchors) {
    double[] a = copy(anchors, "anchors");
    return with(q -> q.anchors = a);
  }

  /**
   * A copy with extra {@code name} set to {@code width} values per anchor.
   *
   * @throws IllegalArgumentException if {@code name} or {@code data} is null, {@code width < 1}, or
   *     {@code data} does not hold {@code width} values per anchor
   */
  public ImageTargets withExtra(String name, int width, double[] data) {
    Map<String, Extra> copy = new LinkedHashMap<>(p.extras);
    copy.put(Tensors.requireNonNull(name, "name"), new Extra(width, data));
    return with(q -> q.extras = Collections.unmodifiableMap(copy));
  }

  int[] labelsNoCopy() {
    return p.labels;
  }

  double[] labelWeightsNoCopy() {
    return p.labelWeights;
  }

  double[] bboxTargetsNoCopy() {
    return p.bboxTargets;
  }

  double[] bboxWeightsNoCopy() {
    return p.bboxWeights;
  }

  double[] anchorsNoCopy() {
    return p.anchors;
  }

  Map<String, Extra> extrasNoCopy() {
    return p.extras;
  }

  @Override
  public String toString() {
    return "ImageTargets(p.anchors=" + numAnchors() + ", pos=" + p.posInds.length + ", neg=" + p.negInds.length
        + (p.extras.isEmpty() ? "" : ", p.extras=" + p.extras.keySet()) + ")";
  }
}
