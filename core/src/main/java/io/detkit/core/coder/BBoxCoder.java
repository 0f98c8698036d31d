package io.detkit.core.coder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns ground-truth boxes into regression targets relative to priors ({@link #encode}) and
 * network predictions back into boxes ({@link #decode}), the Java counterpart of MMDetection's
 * {@code BBOX_CODERS}.
 *
 * <p>Priors are {@code [N, priorDim()]}: boxes {@code (x1, y1, x2, y2)} or points {@code (x, y)}.
 * Ground truth and decoded boxes are {@code [N, 4]} {@code (x1, y1, x2, y2)} in pixels; encoded
 * targets and predictions are {@code [N, 4]} (a coder may accept {@code [N, 4*k]}, k boxes per
 * prior). {@code maxShape} is the image's {@code (h, w)} or {@code (h, w, c)}, or null; when given
 * (and the coder clips at the border) decoded x is clamped to {@code [0, w]} and y to {@code [0,
 * h]}.
 *
 * <p>Precision follows the inputs: float32 inputs are computed with float32 rounding after every
 * operation, in PyTorch's order, so that results match MMDetection; if any input is float64 the
 * computation and result are float64. The primitive-array overloads are the same loops without the
 * ND4J boundary: {@code float[]} in float32, {@code double[]} in float64, rows packed flat.
 *
 * <p>All methods throw {@link IllegalArgumentException} for arrays of the wrong shape or dtype
 * (messages name the argument, e.g. {@code pred_bboxes must be [12,4]; got [12,5]}), an invalid
 * {@code maxShape}, a NaN or infinite input (naming the argument and the first bad flat index), or a
 * result that would not be finite: encoding against a zero-width or zero-height prior or a
 * zero-size ground truth (naming the row), or decoding values so large that they overflow.
 * Implementations are immutable and thread-safe.
 */
public interface BBoxCoder {
  /** Values per prior row: 4 for box priors, 2 for point priors. */
  int priorDim();

  /**
   * Regression targets that take {@code bboxes} (priors) to {@code gtBboxes}.
   *
   * @param bboxes {@code [N, priorDim()]} priors
   * @param gtBboxes {@code [N, 4]} boxes
   * @return {@code [N, 4]} targets
   */
  INDArray encode(INDArray bboxes, INDArray gtBboxes);

  /**
   * Boxes that predictions {@code pred} describe relative to {@code bboxes}.
   *
   * @param bboxes {@code [N, priorDim()]} priors
   * @param pred {@code [N, 4]} (or {@code [N, 4*k]} where the coder supports it) predictions
   * @param maxShape {@code (h, w)} to clip to, or null
   * @return boxes, same shape as {@code pred}
   */
  INDArray decode(INDArray bboxes, INDArray pred, int[] maxShape);

  /**
   * The vector-Jacobian product of {@link #decode}: the gradient of {@code sum(upstream *
   * decode(bboxes, pred, maxShape))} with respect to {@code pred}. Where decoding clamps a value
   * (border clipping, ratio or centre clamps), the gradient through it is zero, as MMDetection's
   * autograd gives it.
   *
   * @param upstream same shape as {@code pred}
   * @return same shape and dtype as the decoded boxes
   */
  INDArray decodeVjp(INDArray bboxes, INDArray pred, int[] maxShape, INDArray upstream);

  /** {@link #encode(INDArray, INDArray)} on flat float32 rows. */
  float[] encode(float[] bboxes, float[] gtBboxes);

  /** {@link #encode(INDArray, INDArray)} on flat float64 rows. */
  double[] encode(double[] bboxes, double[] gtBboxes);

  /** {@link #decode(INDArray, INDArray, int[])} on flat float32 rows. */
  float[] decode(float[] bboxes, float[] pred, int[] maxShape);

  /** {@link #decode(INDArray, INDArray, int[])} on flat float64 rows. */
  double[] decode(double[] bboxes, double[] pred, int[] maxShape);

  /** {@link #decodeVjp(INDArray, INDArray, int[], INDArray)} on flat float32 rows. */
  float[] decodeVjp(float[] bboxes, float[] pred, int[] maxShape, float[] upstream);

  /** {@link #decodeVjp(INDArray, INDArray, int[], INDArray)} on flat float64 rows. */
  double[] decodeVjp(double[] bboxes, double[] pred, int[] maxShape, double[] upstream);
}
