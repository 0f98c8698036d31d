package io.detkit.heads;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import io.detkit.samplers.SamplingResult;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
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
 * <p>An immutable record whose constructor checks the lengths and indices; its {@code with*}
 * copies ({@code withLabelWeights}, {@code withBboxWeights}, {@code withLabels},
 * {@code withBboxTargets}, {@code withAnchors}, ...) are generated from the components
 * (record-builder) and check again. The arrays are shared, not copied, so that a copy costs no
 * per-anchor work: they are read-only by contract. A hook that changes values copies the array it
 * reads and hands the copy to a wither, which keeps the array it is given:
 * {@code double[] w = t.labelWeights().clone(); ...; return t.withLabelWeights(w);}.
 * {@link #of} copies its arrays, for callers that reuse theirs. The inside flags and the anchors
 * zeroed outside ({@link SingleImageInput#withInsideAnchors}) that a training step puts here are
 * more than shared: they are kept from step to step for the image's shape and read by every later
 * step, so modifying them in place corrupts later steps' targets; never do.
 *
 * @param insideFlags which anchors took part, one per anchor of the image (all levels)
 * @param labels one per anchor
 * @param labelWeights one per anchor
 * @param bboxTargets four per anchor
 * @param bboxWeights four per anchor
 * @param anchors four per anchor, when the step returned them
 * @param posInds flat indices of the (sampled) positives, increasing
 * @param posGtInds the 0-based gt index of each positive, aligned with {@code posInds}
 * @param negInds flat indices of the (sampled) negatives, increasing
 * @param assignResult the assigner's result over the inside anchors
 * @param samplingResult the sampler's result over the inside anchors, when the step sampled
 * @param extras per-anchor values by name, in the order they were added
 */
@RecordBuilder
public record ImageTargets(boolean[] insideFlags, int[] labels, double[] labelWeights, double[] bboxTargets,
    double[] bboxWeights, Optional<double[]> anchors, int[] posInds, int[] posGtInds, int[] negInds,
    AssignResult assignResult, Optional<SamplingResult> samplingResult, Map<String, Extra> extras)
    implements ImageTargetsBuilder.With {

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
   * Checks the targets; the arrays are kept as given (see the class comment).
   *
   * @throws IllegalArgumentException if a component is null, lengths disagree, or indices are out
   *     of range or unsorted
   */
  public ImageTargets {
    int n = Tensors.requireNonNull(insideFlags, "inside_flags").length;
    check(Tensors.requireNonNull(labels, "labels").length, n, "labels");
    check(Tensors.requireNonNull(labelWeights, "label_weights").length, n, "label_weights");
    check(Tensors.requireNonNull(bboxTargets, "bbox_targets").length, n * 4, "bbox_targets");
    check(Tensors.requireNonNull(bboxWeights, "bbox_weights").length, n * 4, "bbox_weights");
    if (Tensors.requireNonNull(anchors, "anchors").isPresent()) {
      check(Tensors.requireNonNull(anchors.get(), "anchors").length, n * 4, "anchors");
    }
    if (Tensors.requireNonNull(posGtInds, "pos_gt_inds").length != Tensors.requireNonNull(posInds, "pos_inds").length) {
      throw new IllegalArgumentException("need one gt index per positive (" + posInds.length + "); got "
          + posGtInds.length);
    }
    checkIndices(posInds, n, "pos_inds");
    checkIndices(Tensors.requireNonNull(negInds, "neg_inds"), n, "neg_inds");
    for (Map.Entry<String, Extra> e : Tensors.requireNonNull(extras, "extras").entrySet()) {
      check(e.getValue().data.length, n * e.getValue().width(), "extra '" + e.getKey() + "'");
    }
    extras = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    Tensors.requireNonNull(assignResult, "assignResult");
    Tensors.requireNonNull(samplingResult, "samplingResult");
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
   * Targets over all {@code insideFlags.length} anchors of an image, from copies of the arrays
   * given (the parameters as the record's components; {@code anchors} and {@code samplingResult}
   * may be null).
   *
   * @throws IllegalArgumentException if an array other than {@code anchors}, or
   *     {@code assignResult}, is null, lengths disagree, or indices are out of range or unsorted
   */
  public static ImageTargets of(boolean[] insideFlags, int[] labels, double[] labelWeights, double[] bboxTargets,
      double[] bboxWeights, double[] anchors, int[] posInds, int[] posGtInds, int[] negInds,
      AssignResult assignResult, SamplingResult samplingResult) {
    return new ImageTargets(Tensors.requireNonNull(insideFlags, "inside_flags").clone(), copy(labels, "labels"),
        copy(labelWeights, "label_weights"), copy(bboxTargets, "bbox_targets"), copy(bboxWeights, "bbox_weights"),
        Optional.ofNullable(anchors).map(double[]::clone), copy(posInds, "pos_inds"), copy(posGtInds, "pos_gt_inds"),
        copy(negInds, "neg_inds"), assignResult, Optional.ofNullable(samplingResult), Map.of());
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
    Arrays.fill(labels, numClasses);
    double[] boxes = new double[numAnchors * 4];
    int[] none = new int[0];
    return new ImageTargets(new boolean[numAnchors], labels, new double[numAnchors], boxes, boxes, Optional.empty(),
        none, none, none, AssignResult.allNegative(numGts, 0, false), Optional.empty(), Map.of());
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

  /** Flat index of each inside anchor: index k of the assign/sampling results is anchor {@code insideIndices()[k]}. */
  public int[] insideIndices() {
    return AnchorUtils.indicesOf(insideFlags);
  }

  /** Number of positives (sampled). */
  public int numPositives() {
    return posInds.length;
  }

  /** Number of negatives (sampled). */
  public int numNegatives() {
    return negInds.length;
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

  /** A copy that also carries the anchors (four per anchor; kept as given). */
  public ImageTargets withAnchors(double[] anchors) {
    return withAnchors(Optional.of(Tensors.requireNonNull(anchors, "anchors")));
  }

  /**
   * A copy with extra {@code name} set to {@code width} values per anchor (copied).
   *
   * @throws IllegalArgumentException if {@code name} or {@code data} is null, {@code width < 1}, or
   *     {@code data} does not hold {@code width} values per anchor
   */
  public ImageTargets withExtra(String name, int width, double[] data) {
    Map<String, Extra> copy = new LinkedHashMap<>(extras);
    copy.put(Tensors.requireNonNull(name, "name"), new Extra(width, data));
    return withExtras(copy);
  }

  /** The anchors or null, for the per-level regrouping. */
  double[] anchorsNoCopy() {
    return anchors.orElse(null);
  }

  @Override
  public String toString() {
    return "ImageTargets(anchors=" + numAnchors() + ", pos=" + posInds.length + ", neg=" + negInds.length
        + (extras.isEmpty() ? "" : ", extras=" + extras.keySet()) + ")";
  }
}
