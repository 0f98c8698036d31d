package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link BaseSampler#samplePos} and {@link BaseSampler#sampleNeg} see of one
 * {@code sample} call: the assign result and box set after the ground truths were (optionally)
 * prepended, and the call's random generator.
 *
 * <p>Boxes are {@code [numBboxes(),4]} (x1, y1, x2, y2) in the call's box dtype. One context
 * belongs to one call on one thread.
 */
public final class SamplingContext {
  private final AssignResult assignResult;
  private final double[] boxes;
  private final int numBoxes;
  private final DataType boxType;
  private final RandomGenerator rng;

  SamplingContext(AssignResult assignResult, double[] boxes, int numBoxes, DataType boxType,
      RandomGenerator rng) {
    this.assignResult = assignResult;
    this.boxes = boxes;
    this.numBoxes = numBoxes;
    this.boxType = boxType;
    this.rng = rng;
  }

  /** The assign result, with the gts prepended when the sampler adds them as proposals. */
  public AssignResult assignResult() {
    return assignResult;
  }

  /** The generator every random choice of this call must draw from. */
  public RandomGenerator rng() {
    return rng;
  }

  /** Rows of the box set the indices refer to. */
  public int numBboxes() {
    return numBoxes;
  }

  /** The dtype of the box set. */
  public DataType boxDataType() {
    return boxType;
  }

  /**
   * The rows {@code inds} of the box set as a {@code [inds.length,4]} array.
   *
   * @throws IllegalArgumentException if {@code inds} is null or an index is outside
   *     {@code [0, numBboxes())}
   */
  public INDArray boxes(int[] inds) {
    Tensors.requireNonNull(inds, "inds");
    double[] out = new double[inds.length * 4];
    for (int i = 0; i < inds.length; i++) {
      int r = inds[i];
      if (r < 0 || r >= numBoxes) {
        throw new IllegalArgumentException("inds[" + i + "] must be in [0, " + numBoxes + "); got " + r);
      }
      System.arraycopy(boxes, r * 4, out, i * 4, 4);
    }
    return Tensors.create(out, boxType, inds.length, 4);
  }

  double[] boxData() {
    return boxes;
  }
}
