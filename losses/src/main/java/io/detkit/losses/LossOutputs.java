package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns a loss's float64 value or gradient into the prediction's dtype, refusing a non-finite
 * element that finite inputs produced: a float64 result beyond float32's 3.4e38 (logits of 3e38
 * summed, a huge {@code loss_weight}, {@code gamma} or {@code pos_weight}) rounds to infinity, and
 * an internal {@code Inf * 0} is NaN; MMDetection returns those silently. Non-finite inputs keep
 * MMDetection's propagation (see {@link Loss}). The check rides on the narrowing pass every result
 * takes anyway; the inputs are scanned only when a bad element was found.
 *
 * <p>Stateless; called on the thread that runs the loss.
 */
final class LossOutputs {
  private LossOutputs() {}

  /**
   * What the check needs to know of the loss: its name for the message, whether the caller reports
   * non-finite results itself ({@code check_finite}), and whether its derivative has true poles.
   * A value rather than the {@code Loss}, so that this file does not depend on its caller.
   */
  record Policy(String lossType, boolean checkFinite, boolean hasPoles) {}

  /**
   * {@code data} as a {@code type} array of {@code shape}.
   *
   * @param loss the loss's name and options
   * @param what {@code "value"} or {@code "gradient"}, for the message
   * @throws IllegalArgumentException {@code FocalLoss: the gradient overflows FLOAT at element 3
   *     (4.1E38) although every input is finite; ...} when an element is not finite in
   *     {@code type} and every floating-point input of {@code args} is finite
   */
  static INDArray create(double[] data, DataType type, long[] shape, Policy loss, String what, LossArgs args) {
    return make(data, type, shape, null, loss, what, args);
  }

  /**
   * {@link #create} written into the caller's dense C-order {@code into} (the type and shape come
   * from it): the same bits and the same checks; returns {@code into}.
   */
  static INDArray into(double[] data, INDArray into, Policy loss, String what, LossArgs args) {
    return make(data, into.dataType(), into.shape(), into, loss, what, args);
  }

  private static INDArray make(double[] data, DataType type, long[] shape, INDArray into, Policy loss, String what,
      LossArgs args) {
    int bad = -1;
    INDArray out;
    if (type == DataType.FLOAT) {
      float[] f = new float[data.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) data[i];
        if (bad < 0 && !Float.isFinite(f[i])) {
          bad = i;
        }
      }
      out = into == null ? Tensors.create(f, type, shape) : put(f, into);
    } else {
      out = into == null || type != DataType.DOUBLE ? Tensors.create(data, type, shape) : put(data, into);
      if (into != null && out != into) {
        // HALF and BFLOAT16: Tensors.create rounds (and checks the range) as without into; copy its bits.
        into.assign(out);
        out.close();
        out = into;
      }
      double[] rounded = type == DataType.DOUBLE ? data : Tensors.toDoubles(out);
      for (int i = 0; i < rounded.length && bad < 0; i++) {
        if (!Double.isFinite(rounded[i])) {
          bad = i;
        }
      }
    }
    // With check_finite the caller reports any non-finite result as NonFiniteLossException; a loss
    // whose derivative has a true pole keeps its float64 infinities (docs/mmdet-differences.md).
    boolean pole = bad >= 0 && Double.isInfinite(data[bad]) && loss.hasPoles();
    if (bad >= 0 && !loss.checkFinite() && !pole && inputsFinite(args)) {
      throw new IllegalArgumentException(loss.lossType() + ": the " + what + " is not finite in " + type + " at element "
          + bad + " (" + data[bad] + " in float64) although every input is finite; lower loss_weight, the weights"
          + " or the loss's parameters, or compute in DOUBLE");
    }
    return out;
  }

  /**
   * Copies {@code data} ({@code float[]} or {@code double[]}, the array's dtype) into the dense
   * C-order array {@code into} through its NIO view; returns {@code into}.
   */
  static INDArray put(Object data, INDArray into) {
    if (into.isEmpty()) {
      return into;
    }
    try {
      if (data instanceof float[] f) {
        into.data().asNioFloat().put(0, f, 0, f.length);
      } else {
        double[] d = (double[]) data;
        into.data().asNioDouble().put(0, d, 0, d.length);
      }
    } finally {
      Reference.reachabilityFence(into);
    }
    return into;
  }

  /** Whether every floating-point input (pred, targets, weight, upstream) is finite. */
  static boolean inputsFinite(LossArgs args) {
    if (!finite(args.pred())) {
      return false;
    }
    for (int i = 0; i < args.targetCount(); i++) {
      if (!finite(args.target(i))) {
        return false;
      }
    }
    return args.weight().map(LossOutputs::finite).orElse(true) && args.upstream().map(LossOutputs::finite).orElse(true);
  }

  private static boolean finite(INDArray a) {
    if (a == null || !a.dataType().isFPType()) {
      return true;
    }
    for (double v : Tensors.toDoubles(a)) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
