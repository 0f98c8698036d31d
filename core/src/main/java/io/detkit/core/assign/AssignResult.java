package io.detkit.core.assign;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of assigning ground-truth boxes to priors, in MMDetection's convention.
 *
 * <ul>
 *   <li>{@code gt_inds[i]}: 1-based index of the ground truth prior {@code i} is positive for,
 *       {@code 0} for a negative, {@code -1} for an ignored prior;
 *   <li>{@code max_overlaps[i]}: the overlap that decided it (IoU for MaxIoU; -1e8 stands for
 *       "none" in ATSS);
 *   <li>{@code labels[i]}: the class of the assigned ground truth, {@code -1} where not positive;
 *       absent ({@link #hasLabels()} false) when the assigner got no {@code gt_labels}.
 * </ul>
 *
 * <p>Immutable; getters return copies, the indexed accessors do not copy. The indexed accessors
 * ({@link #gtInd(int)}, {@link #maxOverlap(int)}, {@link #label(int)}) throw
 * {@link IndexOutOfBoundsException} unless {@code 0 <= i < size()}, like {@link java.util.List#get}.
 */
public final class AssignResult {
  private final int numGts;
  private final int[] gtInds;
  private final double[] maxOverlaps;
  private final int[] labels;

  /**
   * A result from per-prior arrays (copied).
   *
   * @param numGts number of ground-truth boxes the priors were assigned against
   * @param gtInds per prior: 1-based gt index, 0 negative, -1 ignored
   * @param maxOverlaps per prior, same length as {@code gtInds}, not NaN
   * @param labels per prior class or -1, same length, or null when no labels were given
   * @throws IllegalArgumentException if {@code gtInds} or {@code maxOverlaps} is null, lengths
   *     differ, an index is out of {@code [-1, numGts]}, or an overlap is NaN
   */
  public AssignResult(int numGts, int[] gtInds, double[] maxOverlaps, int[] labels) {
    Tensors.requireNonNull(gtInds, "gt_inds");
    Tensors.requireNonNull(maxOverlaps, "max_overlaps");
    if (numGts < 0) {
      throw new IllegalArgumentException("num_gts must be >= 0; got " + numGts);
    }
    if (maxOverlaps.length != gtInds.length || (labels != null && labels.length != gtInds.length)) {
      throw new IllegalArgumentException("gt_inds, max_overlaps and labels must have one entry per prior; got "
          + gtInds.length + ", " + maxOverlaps.length + ", " + (labels == null ? "None" : labels.length));
    }
    for (int i = 0; i < gtInds.length; i++) {
      if (gtInds[i] < -1 || gtInds[i] > numGts) {
        throw new IllegalArgumentException("gt_inds[" + i + "] must be in [-1, " + numGts + "]; got " + gtInds[i]);
      }
      if (Double.isNaN(maxOverlaps[i])) {
        throw new IllegalArgumentException("max_overlaps[" + i + "] must not be NaN");
      }
    }
    this.numGts = numGts;
    this.gtInds = gtInds.clone();
    this.maxOverlaps = maxOverlaps.clone();
    this.labels = labels == null ? null : labels.clone();
  }

  /**
   * Every one of {@code numPriors} priors negative with overlap 0 (the no-ground-truth case).
   *
   * @param withLabels whether the result carries labels (all -1)
   * @throws IllegalArgumentException if {@code numGts} or {@code numPriors} is negative
   */
  public static AssignResult allNegative(int numGts, int numPriors, boolean withLabels) {
    if (numPriors < 0) {
      throw new IllegalArgumentException("num_priors must be >= 0; got " + numPriors);
    }
    int[] labels = null;
    if (withLabels) {
      labels = new int[numPriors];
      Arrays.fill(labels, -1);
    }
    return new AssignResult(numGts, new int[numPriors], new double[numPriors], labels);
  }

  /**
   * A result whose labels follow from the assignment: the label of the assigned gt for positives,
   * -1 for the others; no labels when {@code gtLabels} is null.
   *
   * @param gtLabels the {@code numGts} gt labels, or null
   * @throws IllegalArgumentException as the constructor, or if a positive's gt has no label
   */
  public static AssignResult labelled(int numGts, int[] gtInds, double[] maxOverlaps, int[] gtLabels) {
    int[] labels = null;
    if (gtLabels != null) {
      labels = new int[gtInds.length];
      for (int i = 0; i < gtInds.length; i++) {
        int g = gtInds[i];
        if (g > gtLabels.length) {
          throw new IllegalArgumentException("gt_inds[" + i + "] = " + g + " but only " + gtLabels.length
              + " gt labels were given");
        }
        labels[i] = g > 0 ? gtLabels[g - 1] : -1;
      }
    }
    return new AssignResult(numGts, gtInds, maxOverlaps, labels);
  }

  /** The number of ground truths K the priors were assigned against. */
  public int numGts() {
    return numGts;
  }

  /** Number of priors. */
  public int size() {
    return gtInds.length;
  }

  /** {@code gt_inds[i]}: 1-based gt index, 0 negative, -1 ignored. */
  public int gtInd(int i) {
    return gtInds[i];
  }

  /** {@code max_overlaps[i]}. */
  public double maxOverlap(int i) {
    return maxOverlaps[i];
  }

  /** The label of prior {@code i}, or -1 (also when there are no labels). */
  public int label(int i) {
    return labels == null ? -1 : labels[i];
  }

  /** Whether the assigner got {@code gt_labels} and the result carries labels. */
  public boolean hasLabels() {
    return labels != null;
  }

  /** A copy of {@code gt_inds}, one per prior. */
  public int[] gtInds() {
    return gtInds.clone();
  }

  /** A copy of {@code max_overlaps}, one per prior. */
  public double[] maxOverlaps() {
    return maxOverlaps.clone();
  }

  /** A copy of the labels, or null when the assigner got none. */
  public int[] labels() {
    return labels == null ? null : labels.clone();
  }

  /** The number of positive priors ({@code gt_inds > 0}). */
  public int numPositive() {
    return count(g -> g > 0);
  }

  /** The number of negative priors ({@code gt_inds == 0}). */
  public int numNegative() {
    return count(g -> g == 0);
  }

  /** The number of ignored priors ({@code gt_inds == -1}). */
  public int numIgnored() {
    return count(g -> g < 0);
  }

  private int count(IntPredicate which) {
    int n = 0;
    for (int g : gtInds) {
      n += which.test(g) ? 1 : 0;
    }
    return n;
  }

  /**
   * The result with the ground truths prepended as proposals (MMDetection's {@code add_gt_}): they
   * come first, each positive for itself with overlap 1 and its own label.
   *
   * @param gtLabels labels of the ground truths (each &gt;= 0), or null when this result has no
   *     labels (then ignored)
   * @throws IllegalArgumentException if this result has labels and {@code gtLabels} is null, does
   *     not have {@code num_gts} entries or holds a negative label
   */
  public AssignResult withGtsPrepended(int[] gtLabels) {
    int k = numGts;
    if (labels != null) {
      BoxArgs.checkLabels(gtLabels, k);
      if (gtLabels == null) {
        throw new IllegalArgumentException("gt_labels must have num_gts=" + k + " entries; got None");
      }
    }
    int n = gtInds.length;
    int[] inds = new int[k + n];
    double[] ov = new double[k + n];
    for (int j = 0; j < k; j++) {
      inds[j] = j + 1;
      ov[j] = 1.0;
    }
    System.arraycopy(gtInds, 0, inds, k, n);
    System.arraycopy(maxOverlaps, 0, ov, k, n);
    int[] lab = null;
    if (labels != null) {
      lab = new int[k + n];
      System.arraycopy(gtLabels, 0, lab, 0, k);
      System.arraycopy(labels, 0, lab, k, n);
    }
    return new AssignResult(k, inds, ov, lab);
  }

  /** {@code gt_inds} as an INT64 {@code [N]} array. */
  public INDArray gtIndsArray() {
    return Tensors.createLong(gtInds, gtInds.length);
  }

  /**
   * {@code max_overlaps} as a {@code [N]} array of {@code type} (FLOAT rounds the float64 values).
   *
   * @throws IllegalArgumentException if {@code type} is null or not a floating-point type
   */
  public INDArray maxOverlapsArray(DataType type) {
    if (!Tensors.isFloating(type)) {
      throw new IllegalArgumentException("type must be a floating-point type; got " + type);
    }
    return Tensors.create(maxOverlaps, type, maxOverlaps.length);
  }

  /** {@code labels} as an INT64 {@code [N]} array, or null. */
  public INDArray labelsArray() {
    return labels == null ? null : Tensors.createLong(labels, labels.length);
  }

  @Override
  public String toString() {
    return "AssignResult(num_gts=" + numGts + ", priors=" + size() + ", pos=" + numPositive() + ", neg="
        + numNegative() + ", ignored=" + numIgnored() + ")";
  }
}
