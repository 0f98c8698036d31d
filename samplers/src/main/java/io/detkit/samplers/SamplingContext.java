package io.detkit.samplers;

import com.google.common.base.Preconditions;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link BaseSampler#samplePos} and {@link BaseSampler#sampleNeg} see of one
 * {@code sample} call: the assign result and box set after the ground truths were (optionally)
 * prepended, and the call's random generator. A test of a sampler's choice can make one directly.
 *
 * <p>Boxes are {@code [numBboxes(),4]} (x1, y1, x2, y2) in the call's box dtype. One context
 * belongs to one call on one thread.
 *
 * @param assignResult the assign result, with the gts prepended when the sampler adds them as proposals
 * @param boxes the box set in C order, {@code 4 * numBboxes} values ({@link #boxes()} gives a copy)
 * @param numBboxes rows of the box set the indices refer to
 * @param boxDataType the dtype of the box set
 * @param rng the generator every random choice of this call must draw from
 */
public record SamplingContext(AssignResult assignResult, double[] boxes, int numBboxes, DataType boxDataType,
    RandomGenerator rng) {
  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code boxes} does not hold {@code 4 * numBboxes} values
   */
  public SamplingContext {
    Preconditions.checkNotNull(assignResult, "assignResult");
    Preconditions.checkNotNull(boxDataType, "boxDataType");
    Preconditions.checkNotNull(rng, "rng");
    Preconditions.checkArgument(boxes.length == 4L * numBboxes, "boxes must hold 4 * numBboxes = %s values; got %s",
        4L * numBboxes, boxes.length);
  }

  /** A copy of the box set, {@code 4 * numBboxes()} values in C order. */
  @Override
  public double[] boxes() {
    return boxes.clone();
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
      if (r < 0 || r >= numBboxes) {
        throw new IllegalArgumentException("inds[" + i + "] must be in [0, " + numBboxes + "); got " + r);
      }
      System.arraycopy(boxes, r * 4, out, i * 4, 4);
    }
    return Tensors.create(out, boxDataType, inds.length, 4);
  }
}
