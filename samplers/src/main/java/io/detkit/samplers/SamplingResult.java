package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import com.google.common.primitives.Doubles;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The positives and negatives a {@link Sampler} picked, with everything the loss targets need,
 * as in MMDetection's {@code SamplingResult}.
 *
 * <p>Indices refer to the rows of the box set that was sampled from: the input {@code bboxes}, or,
 * when the sampler added the ground truths as proposals, the {@code K} gt boxes followed by the
 * input {@code bboxes} ({@link #numBboxes()} rows either way). Both index sets are strictly
 * increasing (MMDetection passes them through {@code unique()}).
 *
 * <ul>
 *   <li>{@code pos_inds [P]}, {@code neg_inds [M]}: INT64 arrays, or the indices themselves;
 *   <li>{@code pos_bboxes [P,C]}, {@code neg_bboxes [M,C]}: the sampled rows (x1, y1, x2, y2), in the
 *       dtype of the sampled box set; {@code C} is 4 except for {@link PseudoSampler}, which keeps
 *       every column of its input as MMDetection does;
 *   <li>{@code pos_is_gt [P]}: whether each positive is a ground truth added as a proposal (UINT8
 *       0/1 as in MMDetection, or the booleans);
 *   <li>{@code num_gts}: the number of gt boxes {@code K} (not counting the added proposals twice);
 *   <li>{@code pos_assigned_gt_inds [P]}: 0-based gt index of each positive;
 *   <li>{@code pos_gt_bboxes [P,4]}: the gt box of each positive, in the gt dtype; {@code [0,4]} when
 *       there are no gts;
 *   <li>{@code pos_gt_labels [P]}: the assigner's label of each positive, or null when the assign
 *       result has no labels.
 * </ul>
 *
 * <p>Immutable and thread-safe. The components are immutable primitive values (Guava's
 * {@link ImmutableIntArray} and {@link ImmutableDoubleArray}, and {@link ImmutableBooleanArray} for
 * {@code pos_is_gt}), so they are handed out
 * as they are: a caller reads them in place ({@code posInds().get(k)}) and copies only what it wants
 * to own ({@code toArray()}). Every INDArray getter makes a new array.
 *
 * @param posInds positive rows, strictly increasing, in {@code [0, numBboxes)}
 * @param negInds negative rows, strictly increasing, in {@code [0, numBboxes)}
 * @param numBboxes rows of the box set the indices refer to
 * @param boxColumns columns of the sampled boxes (4 for every sampler but PseudoSampler)
 * @param boxDataType the dtype of the sampled boxes
 * @param posBboxesData the positives' rows, {@code P * boxColumns} values in C order
 * @param negBboxesData the negatives' rows, {@code M * boxColumns} values
 * @param posIsGt per positive, whether it is a ground truth added as a proposal
 * @param numGts the number of gt boxes {@code K}
 * @param posAssignedGtInds per positive, its 0-based gt index
 * @param gtDataType the dtype of the gt boxes
 * @param posGtBboxesData per positive, its gt box: {@code 4 * P} values
 * @param posGtLabels per positive, the assigner's label; null when the assign result had none
 */
public record SamplingResult(ImmutableIntArray posInds, ImmutableIntArray negInds, int numBboxes, int boxColumns,
    DataType boxDataType, ImmutableDoubleArray posBboxesData, ImmutableDoubleArray negBboxesData, ImmutableBooleanArray posIsGt,
    int numGts, ImmutableIntArray posAssignedGtInds, DataType gtDataType, ImmutableDoubleArray posGtBboxesData,
    ImmutableIntArray posGtLabels) {
  private static final int SHOWN = 16;

  /**
   * The result from its parts, as {@link #of} and the samplers make it.
   *
   * @throws NullPointerException if an argument other than {@code posGtLabels} is null
   * @throws IllegalArgumentException if an index set is not strictly increasing in range, or an
   *     array's length does not fit the index sets
   */
  public SamplingResult {
    checkIndices(posInds, numBboxes, "pos_inds");
    checkIndices(negInds, numBboxes, "neg_inds");
    Objects.requireNonNull(boxDataType, "boxDataType");
    Objects.requireNonNull(gtDataType, "gtDataType");
    Objects.requireNonNull(posIsGt, "posIsGt");
    int p = posInds.length();
    checkLength(posBboxesData.length(), (long) p * boxColumns, "pos_bboxes");
    checkLength(negBboxesData.length(), (long) negInds.length() * boxColumns, "neg_bboxes");
    checkLength(posIsGt.length(), p, "pos_is_gt");
    checkLength(posAssignedGtInds.length(), p, "pos_assigned_gt_inds");
    checkLength(posGtBboxesData.length(), 4L * p, "pos_gt_bboxes");
    if (posGtLabels != null) {
      checkLength(posGtLabels.length(), p, "pos_gt_labels");
    }
  }

  /**
   * A result for chosen indices, the counterpart of MMDetection's {@code SamplingResult(...)}
   * constructor, for samplers written outside this package.
   *
   * @param posInds positive rows of {@code bboxes}; sorted and de-duplicated here
   * @param negInds negative rows of {@code bboxes}; sorted and de-duplicated here
   * @param bboxes {@code [N,C]} floating-point box set the indices refer to ({@code C >= 4})
   * @param gtBboxes {@code [K,4]} ground-truth boxes
   * @param assignResult assignment of the {@code N} rows of {@code bboxes}
   * @param gtFlags per row of {@code bboxes}, whether it is a ground truth added as a proposal;
   *     null means none is
   * @throws IllegalArgumentException if an argument other than {@code gtFlags} is null, a box
   *     value is not finite, an index is out of range, a positive is not assigned to a gt in
   *     {@code [1, K]}, or the shapes disagree
   */
  public static SamplingResult of(int[] posInds, int[] negInds, INDArray bboxes, INDArray gtBboxes,
      AssignResult assignResult, boolean[] gtFlags) {
    Tensors.requireNonNull(posInds, "pos_inds");
    Tensors.requireNonNull(negInds, "neg_inds");
    Tensors.requireNonNull(assignResult, "assign_result");
    Tensors.requireFloating(Tensors.requireRank(bboxes, "bboxes", 2), "bboxes");
    if (bboxes.size(1) < 4) {
      throw new IllegalArgumentException("bboxes must be [N,4] or wider (x1, y1, x2, y2, ...); got "
          + Tensors.shapeOf(bboxes));
    }
    Tensors.requireBoxes(gtBboxes, "gt_bboxes");
    int n = (int) bboxes.size(0);
    int cols = (int) bboxes.size(1);
    if (assignResult.size() != n) {
      throw new IllegalArgumentException("assign_result must have one entry per row of bboxes (" + n
          + "); got " + assignResult.size());
    }
    if (gtFlags != null && gtFlags.length != n) {
      throw new IllegalArgumentException("gt_flags must have one entry per row of bboxes (" + n + "); got "
          + gtFlags.length);
    }
    double[] boxes = Tensors.toDoubles(bboxes);
    Tensors.requireFinite(boxes, "bboxes");
    double[] gt = Tensors.toDoubles(gtBboxes);
    Tensors.requireFinite(gt, "gt_bboxes");
    return create(IndexSampling.sortedUnique(posInds), IndexSampling.sortedUnique(negInds), boxes, n, cols,
        bboxes.dataType(), gtFlags, assignResult, gt, (int) gtBboxes.size(0), gtBboxes.dataType());
  }

  /**
   * Gathers the result from primitive data; indices must already be sorted and unique.
   *
   * @param boxes the {@code n x cols} box set in C order
   * @param gtBoxes the {@code k x 4} gt boxes in C order
   */
  static SamplingResult create(int[] posInds, int[] negInds, double[] boxes, int n, int cols,
      DataType boxType, boolean[] gtFlags, AssignResult assignResult, double[] gtBoxes, int k,
      DataType gtType) {
    // Checked before the gt lookups below read assignResult at these rows (the constructor checks again).
    ImmutableIntArray pos = ImmutableIntArray.copyOf(posInds);
    ImmutableIntArray neg = ImmutableIntArray.copyOf(negInds);
    checkIndices(pos, n, "pos_inds");
    checkIndices(neg, n, "neg_inds");
    int p = posInds.length;
    boolean[] isGt = new boolean[p];
    int[] assigned = new int[p];
    double[] gtRows = new double[p * 4];
    int[] labels = assignResult.hasLabels() ? new int[p] : null;
    for (int i = 0; i < p; i++) {
      int row = posInds[i];
      int g = assignResult.gtInd(row);
      if (g < 1 || g > k) {
        throw new IllegalArgumentException("positive row " + row + " must be assigned to a gt in [1, " + k
            + "] (there are " + k + " gt_bboxes); got gt_inds=" + g);
      }
      isGt[i] = gtFlags != null && gtFlags[row];
      assigned[i] = g - 1;
      System.arraycopy(gtBoxes, (g - 1) * 4, gtRows, i * 4, 4);
      if (labels != null) {
        labels[i] = assignResult.label(row);
      }
    }
    return new SamplingResult(pos, neg, n, cols, boxType, gatherRows(boxes, cols, posInds),
        gatherRows(boxes, cols, negInds), ImmutableBooleanArray.copyOf(isGt), k, ImmutableIntArray.copyOf(assigned), gtType,
        ImmutableDoubleArray.copyOf(gtRows), labels == null ? null : ImmutableIntArray.copyOf(labels));
  }

  private static void checkLength(int length, long expected, String name) {
    if (length != expected) {
      throw new IllegalArgumentException(name + " must hold " + expected + " values; got " + length);
    }
  }

  private static void checkIndices(ImmutableIntArray inds, int n, String name) {
    for (int i = 0; i < inds.length(); i++) {
      int v = inds.get(i);
      if (v < 0 || v >= n) {
        throw new IllegalArgumentException(name + "[" + i + "] must be in [0, " + n + "); got " + v);
      }
      if (i > 0 && v <= inds.get(i - 1)) {
        throw new IllegalArgumentException(name + " must be strictly increasing; got " + inds.get(i - 1)
            + " then " + v);
      }
    }
  }

  /** The given rows of the {@code cols}-column C-order {@code data}, gathered straight into their immutable value. */
  private static ImmutableDoubleArray gatherRows(double[] data, int cols, int[] rows) {
    // The builder's array becomes the value without another copy (PseudoSampler gathers every negative).
    ImmutableDoubleArray.Builder out = ImmutableDoubleArray.builder(rows.length * cols);
    for (int row : rows) {
      for (int c = row * cols, end = c + cols; c < end; c++) {
        out.add(data[c]);
      }
    }
    return out.build();
  }

  /** Whether the assign result had labels, that is whether {@link #posGtLabels()} is non-null. */
  public boolean hasLabels() {
    return posGtLabels != null;
  }

  /** {@code pos_inds} as an INT64 {@code [P]} array. */
  public INDArray posIndsArray() {
    return Tensors.createLong(posInds.toArray(), posInds.length());
  }

  /** {@code neg_inds} as an INT64 {@code [M]} array. */
  public INDArray negIndsArray() {
    return Tensors.createLong(negInds.toArray(), negInds.length());
  }

  /** {@code pos_bboxes}, {@code [P,C]}. */
  public INDArray posBboxes() {
    return Tensors.create(posBboxesData.toArray(), boxDataType, posInds.length(), boxColumns);
  }

  /** {@code neg_bboxes}, {@code [M,C]}. */
  public INDArray negBboxes() {
    return Tensors.create(negBboxesData.toArray(), boxDataType, negInds.length(), boxColumns);
  }

  /** Positive then negative boxes, {@code [P+M,C]} (MMDetection's {@code bboxes} property). */
  public INDArray bboxes() {
    double[] all = Doubles.concat(posBboxesData.toArray(), negBboxesData.toArray());
    return Tensors.create(all, boxDataType, posInds.length() + negInds.length(), boxColumns);
  }

  /** {@code pos_is_gt} as a UINT8 {@code [P]} array of 0/1, MMDetection's dtype. */
  public INDArray posIsGtArray() {
    double[] v = new double[posIsGt.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = posIsGt.get(i) ? 1 : 0;
    }
    return Tensors.create(v, DataType.UINT8, v.length);
  }

  /** {@code pos_assigned_gt_inds} as an INT64 {@code [P]} array. */
  public INDArray posAssignedGtIndsArray() {
    return Tensors.createLong(posAssignedGtInds.toArray(), posAssignedGtInds.length());
  }

  /** {@code pos_gt_bboxes}, {@code [P,4]} in the gt dtype. */
  public INDArray posGtBboxes() {
    return Tensors.create(posGtBboxesData.toArray(), gtDataType, posInds.length(), 4);
  }

  /** {@code pos_gt_labels} as an INT64 {@code [P]} array, or null without labels. */
  public INDArray posGtLabelsArray() {
    return posGtLabels == null ? null : Tensors.createLong(posGtLabels.toArray(), posGtLabels.length());
  }

  /**
   * The summary MMDetection's {@code info} gives: {@code pos_inds}, {@code neg_inds},
   * {@code pos_bboxes} and {@code neg_bboxes} (their shapes), {@code pos_is_gt}, {@code num_gts},
   * {@code pos_assigned_gt_inds}. Arrays are copies; the map is unmodifiable.
   */
  public Map<String, Object> info() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pos_inds", posInds.toArray());
    m.put("neg_inds", negInds.toArray());
    m.put("pos_bboxes", new long[] {posInds.length(), boxColumns});
    m.put("neg_bboxes", new long[] {negInds.length(), boxColumns});
    m.put("pos_is_gt", posIsGt.toArray());
    m.put("num_gts", numGts);
    m.put("pos_assigned_gt_inds", posAssignedGtInds.toArray());
    return Collections.unmodifiableMap(m);
  }

  /** MMDetection's nice repr: the {@link #info()} keys sorted, long index lists abbreviated. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("<SamplingResult({");
    boolean first = true;
    for (Map.Entry<String, Object> e : new TreeMap<>(info()).entrySet()) {
      sb.append(first ? "\n    '" : ",\n    '").append(e.getKey()).append("': ");
      first = false;
      Object v = e.getValue();
      if (v instanceof int[] a) {
        sb.append(abbreviate(a));
      } else if (v instanceof boolean[] b) {
        int[] a = new int[b.length];
        for (int i = 0; i < b.length; i++) {
          a[i] = b[i] ? 1 : 0;
        }
        sb.append(abbreviate(a));
      } else if (v instanceof long[] s) {
        sb.append(Arrays.toString(s));
      } else {
        sb.append(v);
      }
    }
    return sb.append("\n})>").toString();
  }

  private static String abbreviate(int[] a) {
    if (a.length <= SHOWN) {
      return Arrays.toString(a);
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < SHOWN / 2; i++) {
      sb.append(a[i]).append(", ");
    }
    sb.append("... (").append(a.length).append(" in all)");
    for (int i = a.length - SHOWN / 2; i < a.length; i++) {
      sb.append(", ").append(a[i]);
    }
    return sb.append(']').toString();
  }
}
