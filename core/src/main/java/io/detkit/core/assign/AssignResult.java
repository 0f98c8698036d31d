package io.detkit.core.assign;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
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
 * <p>Immutable; getters return copies, the indexed accessors do not copy.
 */
public final class AssignResult {
  private final int numGts;
  private final int[] gtInds;
  private final double[] maxOverlaps;
  private final int[] labels;

  /**
   * @param numGts number of ground-truth boxes the priors were assigned against
   * @param gtInds per prior: 1-based gt index, 0 negative, -1 ignored
   * @param maxOverlaps per prior, same length as {@code gtInds}
   * @param labels per prior class or -1, same length, or null when no labels were given
   * @throws IllegalArgumentException if lengths differ or an index is out of {@code [-1, numGts]}
   */
  public AssignResult(int numGts, int[] gtInds, double[] maxOverlaps, int[] labels) {
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
    }
    this.numGts = numGts;
    this.gtInds = gtInds.clone();
    this.maxOverlaps = maxOverlaps.clone();
    this.labels = labels == null ? null : labels.clone();
  }

  /** Every one of {@code numPriors} priors negative (the no-ground-truth case). */
  public static AssignResult allNegative(int numGts, int numPriors, boolean withLabels) {
    int[] labels = null;
    if (withLabels) {
      labels = new int[numPriors];
      Arrays.fill(labels, -1);
    }
    return new AssignResult(numGts, new int[numPriors], new double[numPriors], labels);
  }

  public int numGts() {
    return numGts;
  }

  /** Number of priors. */
  public int size() {
    return gtInds.length;
  }

  public int gtInd(int i) {
    return gtInds[i];
  }

  public double maxOverlap(int i) {
    return maxOverlaps[i];
  }

  /** The label of prior {@code i}, or -1 (also when there are no labels). */
  public int label(int i) {
    return labels == null ? -1 : labels[i];
  }

  public boolean hasLabels() {
    return labels != null;
  }

  public int[] gtInds() {
    return gtInds.clone();
  }

  public double[] maxOverlaps() {
    return maxOverlaps.clone();
  }

  /** A copy of the labels, or null when the assigner got none. */
  public int[] labels() {
    return labels == null ? null : labels.clone();
  }

  public int numPositive() {
    int n = 0;
    for (int g : gtInds) {
      n += g > 0 ? 1 : 0;
    }
    return n;
  }

  public int numNegative() {
    int n = 0;
    for (int g : gtInds) {
      n += g == 0 ? 1 : 0;
    }
    return n;
  }

  public int numIgnored() {
    int n = 0;
    for (int g : gtInds) {
      n += g < 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * The result with the ground truths prepended as proposals (MMDetection's {@code add_gt_}): they
   * come first, each positive for itself with overlap 1 and its own label.
   *
   * @param gtLabels labels of the ground truths, or null when this result has no labels
   * @throws IllegalArgumentException if {@code gtLabels} does not have {@code num_gts} entries
   */
  public AssignResult withGtsPrepended(int[] gtLabels) {
    int k = numGts;
    if (labels != null && (gtLabels == null || gtLabels.length != k)) {
      throw new IllegalArgumentException("gt_labels must have num_gts=" + k + " entries; got "
          + (gtLabels == null ? "None" : gtLabels.length));
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

  /** {@code max_overlaps} as a {@code [N]} array of {@code type}. */
  public INDArray maxOverlapsArray(DataType type) {
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
