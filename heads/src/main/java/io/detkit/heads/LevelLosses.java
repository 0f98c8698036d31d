package io.detkit.heads;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the per-level loss hooks ({@link AnchorHead#levelLosses}, {@link AnchorHead#clsLoss},
 * {@link AnchorHead#bboxLoss}) receive: one level of one loss call, with the batch's outputs,
 * anchors, targets and averaging factor, the gradient accumulator every term adds its gradient to,
 * and the loss dict being filled ({@link #put}).
 *
 * <p>Rows: a level's outputs are read as rows {@code [N*H*W*A, k]} ({@link #rows}), row
 * {@code i*H*W*A + anchor} for image i, the same order as the level's targets
 * ({@link HeadTargets#labelsData}); {@link #positives()} lists the positive rows.
 *
 * <p>Used by the thread that computes the loss; not thread-safe.
 *
 * @param level the level
 * @param outputs the batch's raw outputs
 * @param anchors the batch's anchors (shared by its images)
 * @param targets the batch's targets
 * @param avgFactor the averaging factor of the call ({@link AnchorHead#avgFactor})
 * @param grads the gradient accumulator every loss term adds to
 * @param dict the loss dict being filled: name to one value per level (a mutable map, shared by the
 *     levels of one call; write it through {@link #put})
 */
public record LevelLosses(int level, HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets targets,
    double avgFactor, GradAccumulator grads, Map<String, double[]> dict) {

  /** @throws IllegalArgumentException if an argument is null or {@code level} is out of range */
  public LevelLosses {
    Tensors.requireNonNull(targets, "targets");
    Tensors.requireIndex(level, targets.numLevels(), "level");
    Tensors.requireNonNull(outputs, "outputs");
    Tensors.requireNonNull(anchors, "anchors");
    Tensors.requireNonNull(grads, "grads");
    Tensors.requireNonNull(dict, "dict");
  }

  /** Output {@code name} at this level, NCHW. */
  public INDArray output(String name) {
    return outputs.get(name, level);
  }

  /** The training epoch of the call ({@link HeadTargets#epoch()}). */
  public int epoch() {
    return targets.epoch();
  }

  /** The outputs' dtype. */
  public DataType dataType() {
    return grads.dataType();
  }

  /** The outputs' working precision. */
  public Precision precision() {
    return Precision.of(grads.dataType());
  }

  /** Anchors (priors) per location at this level: output rows per cell. */
  public int anchorsPerLocation() {
    long[] s = grads.shape(HeadOutputs.CLS_SCORES, level);
    long cells = s[2] * s[3];
    return cells == 0 ? 0 : (int) (anchors.numAnchors(level) / cells);
  }

  /** Output {@code name} at this level as rows {@code [N*H*W*A, k]}, {@code k} channels per anchor. */
  public INDArray rows(String name, int k) {
    return Layout.toRows(output(name), anchorsPerLocation(), k);
  }

  /**
   * The rows (image-major, as {@link HeadTargets#labelsData}) whose label is a foreground class:
   * the level's positives ({@link HeadTargets#positiveRows}; copy).
   */
  public int[] positives() {
    return targets.positiveRows(level);
  }

  /**
   * {@code k} values per row of output {@code name} at this level for the given rows (e.g.
   * {@link #positives()}), read straight from the NCHW array: {@code rows.length * k} values.
   */
  public double[] valuesAt(String name, int[] rows, int k) {
    INDArray out = output(name);
    int hw = (int) (out.size(2) * out.size(3));
    int a = anchorsPerLocation();
    int[] at = new int[rows.length * k];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < k; c++) {
        at[r * k + c] = Layout.nchwIndex(rows[r], c, a, k, hw);
      }
    }
    return elementsAt(out, at);
  }

  /**
   * The elements {@code at} (C-order flat indices) of {@code a}, read in place through its buffer:
   * only the few asked for (a level's positives), not the whole array widened to doubles.
   */
  static double[] elementsAt(INDArray a, int[] at) {
    INDArray dense = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    double[] v = new double[at.length];
    try {
      org.nd4j.linalg.api.buffer.DataBuffer data = dense.data();
      for (int i = 0; i < at.length; i++) {
        v[i] = data.getDouble(at[i]);
      }
    } finally {
      java.lang.ref.Reference.reachabilityFence(dense);
    }
    return v;
  }

  /** The anchor of each given row, 4 values per row. */
  public double[] anchorsAt(int[] rows) {
    double[] all = anchors.flatAnchorsNoCopy();
    int start = anchors.levelStart(level);
    int n = anchors.numAnchors(level);
    double[] v = new double[rows.length * 4];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(all, (start + rows[r] % n) * 4, v, r * 4, 4);
    }
    return v;
  }

  /** The regression target of each given row, 4 values per row. */
  public double[] bboxTargetsAt(int[] rows) {
    return targets.levels().rowsAt(level, rows, 4, ImageTargets::bboxTargets, "bbox_targets");
  }

  /** The {@code k} values of each given row of a row-major array {@code all}. */
  static double[] rowsAt(double[] all, int[] rows, int k) {
    double[] v = new double[rows.length * k];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(all, rows[r] * k, v, r * k, k);
    }
    return v;
  }

  /**
   * Sets this level's value of loss {@code name} in the dict (a level no term set is 0). The order
   * of first {@code put}s is the dict's order.
   */
  public void put(String name, double value) {
    dict.computeIfAbsent(Tensors.requireNonNull(name, "name"), k -> new double[targets.numLevels()])[level] = value;
  }
}
