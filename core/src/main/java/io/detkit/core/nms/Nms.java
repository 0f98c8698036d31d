package io.detkit.core.nms;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-maximum suppression: mmcv's {@code nms} and {@code batched_nms} and MMDetection's
 * {@code multiclass_nms}.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} rows. Boxes are visited in descending score order; a box is
 * dropped when its IoU with an already kept box of the same class is strictly greater than
 * {@code iou_threshold}. The IoU is mmcv's: {@code inter / (area_i + area_j - inter)} with
 * {@code offset} added to widths and heights and no epsilon (two empty boxes never suppress each
 * other). Float32 inputs are computed in float32 in mmcv's operation order; DOUBLE inputs in
 * float64.
 *
 * <p>Order and ties: results are sorted by descending score and, unlike PyTorch's unstable sort,
 * equal scores keep the lower input index first, so results are deterministic.
 *
 * <p>Class-aware NMS: MMDetection shifts each class's boxes by {@code class * (max_coordinate + 1)}
 * so that one NMS pass never compares boxes of different classes. Here the classes are simply kept
 * apart, which is what the shift intends; it also holds for negative coordinates, where the shift
 * can fail.
 *
 * <p>All loops run on primitive arrays; the ND4J methods only convert at the boundary.
 */
public final class Nms {
  private Nms() {}

  // ---------------------------------------------------------------- primitive API

  /**
   * Kept indices of single-class NMS, sorted by descending score.
   *
   * @param boxes {@code 4*N} coordinates
   * @param scores {@code N} scores
   * @throws IllegalArgumentException for mismatched lengths, non-finite boxes (naming the row) or
   *     non-finite scores
   */
  public static int[] nms(float[] boxes, float[] scores, float iouThreshold) {
    NmsArrays.requireArrays(boxes, scores);
    return NmsKeep.keep(NmsArrays.toDoubles(boxes), NmsArrays.toDoubles(scores), null, NmsConfig.of(iouThreshold), true);
  }

  /** Float64 counterpart of {@link #nms(float[], float[], float)}. */
  public static int[] nms(double[] boxes, double[] scores, double iouThreshold) {
    NmsArrays.requireArrays(boxes, scores);
    return NmsKeep.keep(boxes, scores, null, NmsConfig.of(iouThreshold), false);
  }

  /**
   * Kept indices of class-aware NMS (classes in {@code idxs}), sorted by descending score; with a
   * null {@code cfg} nothing is suppressed and all indices come back sorted.
   *
   * @throws IllegalArgumentException for mismatched lengths, non-finite boxes or non-finite scores
   */
  public static int[] batchedNms(float[] boxes, float[] scores, int[] idxs, NmsConfig cfg) {
    NmsArrays.requireArrays(boxes, scores);
    return NmsKeep.keep(NmsArrays.toDoubles(boxes), NmsArrays.toDoubles(scores), idxs, cfg, true);
  }

  /** Float64 counterpart of {@link #batchedNms(float[], float[], int[], NmsConfig)}. */
  public static int[] batchedNms(double[] boxes, double[] scores, int[] idxs, NmsConfig cfg) {
    NmsArrays.requireArrays(boxes, scores);
    return NmsKeep.keep(boxes, scores, idxs, cfg, false);
  }

  // ---------------------------------------------------------------- ND4J API

  /**
   * mmcv's {@code nms}: kept indices (INT64 {@code [k]}) sorted by descending score.
   *
   * @param boxes {@code [N,4]} floating-point
   * @param scores {@code [N]}
   * @throws IllegalArgumentException for wrong shapes or invalid values
   */
  public static INDArray nms(INDArray boxes, INDArray scores, double iouThreshold) {
    int n = NmsArrays.checkBoxes(boxes, "boxes");
    NmsArrays.checkVector(scores, "scores", n);
    boolean f32 = !NmsArrays.isDouble(boxes, scores);
    int[] kept = NmsKeep.keep(Tensors.toDoubles(boxes), NmsArrays.values(scores, f32), null, NmsConfig.of(iouThreshold), f32);
    return Tensors.createLong(kept, kept.length);
  }

  /**
   * mmcv's {@code batched_nms} from an MMDetection nms dict (null: no suppression, only sorting).
   *
   * @see #batchedNms(INDArray, INDArray, INDArray, NmsConfig)
   */
  public static NmsResult batchedNms(INDArray boxes, INDArray scores, INDArray idxs, Config nmsCfg) {
    return batchedNms(boxes, scores, idxs, nmsCfg == null ? null : NmsConfig.fromConfig(nmsCfg));
  }

  /**
   * Class-aware NMS.
   *
   * @param boxes {@code [N,4]}
   * @param scores {@code [N]}
   * @param idxs {@code [N]} integer class of each box
   * @param nmsCfg the settings, or null to only sort by score
   * @return kept {@code dets [k,5]} and indices
   * @throws IllegalArgumentException for wrong shapes or invalid values
   */
  public static NmsResult batchedNms(INDArray boxes, INDArray scores, INDArray idxs, NmsConfig nmsCfg) {
    int n = NmsArrays.checkBoxes(boxes, "boxes");
    NmsArrays.checkVector(scores, "scores", n);
    Tensors.requireNonNull(idxs, "idxs");
    if (idxs.dataType().isFPType() || idxs.rank() > 1 || idxs.length() != n) {
      throw new IllegalArgumentException("idxs must be an integer [N] array with N=" + n + "; got "
          + idxs.dataType() + " " + Tensors.shapeOf(idxs));
    }
    boolean f32 = !NmsArrays.isDouble(boxes, scores);
    double[] b = Tensors.toDoubles(boxes);
    double[] s = NmsArrays.values(scores, f32);
    int[] kept = NmsKeep.keep(b, s, Tensors.toInts(idxs, "idxs"), nmsCfg, f32);
    return new NmsResult(NmsArrays.dets(b, s, kept, boxes.dataType()), kept);
  }

  /**
   * MMDetection's {@code multiclass_nms}.
   *
   * @param multiBboxes {@code [N,4]} (shared by all classes) or {@code [N,C*4]} (one box per class)
   * @param multiScores {@code [N,C+1]}; the last column (background) is ignored
   * @param scoreThr a (prior, class) pair takes part when its score is strictly above this
   * @param nmsCfg an MMDetection nms dict, or null for no suppression
   * @param maxNum when &gt; 0, at most this many detections
   * @param scoreFactors {@code [N]} factors multiplied into the scores after thresholding (e.g.
   *     centerness), or null
   * @throws IllegalArgumentException for wrong shapes or invalid values: non-finite boxes (naming the
   *     row), non-finite scores or score factors, or a score times its factor that overflows (naming the first bad flat index)
   */
  public static MulticlassNmsResult multiclassNms(INDArray multiBboxes, INDArray multiScores, double scoreThr,
      Config nmsCfg, int maxNum, INDArray scoreFactors) {
    return multiclassNms(multiBboxes, multiScores, scoreThr, nmsCfg == null ? null : NmsConfig.fromConfig(nmsCfg),
        maxNum, scoreFactors);
  }

  /** {@link #multiclassNms(INDArray, INDArray, double, Config, int, INDArray)} with parsed settings. */
  public static MulticlassNmsResult multiclassNms(INDArray multiBboxes, INDArray multiScores, double scoreThr,
      NmsConfig nmsCfg, int maxNum, INDArray scoreFactors) {
    return MulticlassNms.run(multiBboxes, multiScores, scoreThr, nmsCfg, maxNum, scoreFactors);
  }
}
