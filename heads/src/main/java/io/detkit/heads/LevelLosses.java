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
 */
public final class LevelLosses {
  private final int level;
  private final HeadOutputs outputs;
  private final MultiLevelAnchors anchors;
  private final HeadTargets targets;
  private final double avgFactor;
  private final GradAccumulator grads;
  private final Map<String, double[]> dict;
  private int[] positives;

  /**
   * @param dict the loss dict being filled: name to one value per level (a mutable map, shared by
   *     the levels of one call)
   * @throws IllegalArgumentException if an argument is null or {@code level} is out of range
   */
  public LevelLosses(int level, HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets targets,
      double avgFactor, GradAccumulator grads, Map<String, double[]> dict) {
    this.targets = Tensors.requireNonNull(targets, "targets");
    this.level = Tensors.requireIndex(level, targets.numLevels(), "level");
    this.outputs = Tensors.requireNonNull(outputs, "outputs");
    this.anchors = Tensors.requireNonNull(anchors, "anchors");
    this.avgFactor = avgFactor;
    this.grads = Tensors.requireNonNull(grads, "grads");
    this.dict = Tensors.requireNonNull(dict, "dict");
  }

  /** The level. */
  public int level() {
    return level;
  }

  /** The batch's raw outputs. */
  public HeadOutputs outputs() {
    return outputs;
  }

  /** Output {@code name} at this level, NCHW. */
  public INDArray output(String name) {
    return outputs.get(name, level);
  }

  /** The batch's anchors (shared by its images). */
  public MultiLevelAnchors anchors() {
    return anchors;
  }

  /** The batch's targets. */
  public HeadTargets targets() {
    return targets;
  }

  /** The training epoch of the call ({@link HeadTargets#epoch()}). */
  public int epoch() {
    return targets.epoch();
  }

  /** The averaging factor of the call ({@link AnchorHead#avgFactor}). */
  public double avgFactor() {
    return avgFactor;
  }

  /** The gradient accumulator every loss term adds to. */
  public GradAccumulator grads() {
    return grads;
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
   * the level's positives (cached).
   */
  public int[] positives() {
    if (positives == null) {
      int[] labels = targets.labelsData(level);
      int m = 0;
      for (int lab : labels) {
        m += lab >= 0 && lab < targets.numClasses() ? 1 : 0;
      }
      positives = new int[m];
      int k = 0;
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] >= 0 && labels[i] < targets.numClasses()) {
          positives[k++] = i;
        }
      }
    }
    return positives.clone();
  }

  /**
   * {@code k} values per row of output {@code name} at this level for the given rows (e.g.
   * {@link #positives()}), read straight from the NCHW array: {@code rows.length * k} values.
   */
  public double[] valuesAt(String name, int[] rows, int k) {
    INDArray out = output(name);
    int hw = (int) (out.size(2) * out.size(3));
    int a = anchorsPerLocation();
    // Read only the rows asked for (a few hundred positives), not the whole level widened to doubles.
    INDArray dense = out.isView() || out.ordering() != 'c' ? out.dup('c') : out;
    double[] v = new double[rows.length * k];
    try {
      org.nd4j.linalg.api.buffer.DataBuffer data = dense.data();
      for (int r = 0; r < rows.length; r++) {
        for (int c = 0; c < k; c++) {
          v[r * k + c] = data.getDouble(Layout.nchwIndex(rows[r], c, a, k, hw));
        }
      }
    } finally {
      java.lang.ref.Reference.reachabilityFence(dense);
    }
    return v;
  }

  /** The anchor of each given row, 4 values per row. */
  public double[] anchorsAt(int[] rows) {
    double[] all = anchors.anchorData(level);
    int n = anchors.numAnchors(level);
    double[] v = new double[rows.length * 4];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(all, (rows[r] % n) * 4, v, r * 4, 4);
    }
    return v;
  }

  /** The regression target of each given row, 4 values per row. */
  public double[] bboxTargetsAt(int[] rows) {
    return rowsAt(targets.bboxTargetsData(level), rows, 4);
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
