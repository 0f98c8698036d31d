package io.detkit.losses;

import io.detkit.core.config.ComponentType;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.tensor.Tensors;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss on the seed tutorial's pipeline: step 2 (the {@linkplain #kernel kernel}) is all a
 * subclass writes; steps 3 to 5 (weight, reduction with {@code avg_factor}, {@code loss_weight})
 * and their backward pass are shared in {@link WeightReduce}.
 *
 * <p>Every call returns the value and the analytic gradient with respect to the prediction
 * ({@link LossResult}); there is no autograd. Instances are immutable and thread-safe unless a
 * subclass documents state (GHMC and GHMR keep running statistics when {@code momentum > 0}).
 *
 * <p>Shapes are each loss's own ({@code [N,C]} class scores, {@code [N,4]} (x1, y1, x2, y2) boxes,
 * any shape for the element-wise regression losses); in every case the value is rank 0 under
 * {@code 'mean'} and {@code 'sum'} and the element-wise loss under {@code 'none'}, and the gradient
 * has the prediction's shape and dtype.
 *
 * <p>Common config keys: {@code reduction} ('none' | 'mean' | 'sum', default 'mean'),
 * {@code loss_weight} (default 1.0) and detkit's {@code check_finite} (default False): when true a
 * non-finite input (prediction, target, weight or upstream), value or gradient throws
 * {@link NonFiniteLossException} naming the loss, what is not finite and the first bad element.
 * (all three held in {@link LossOptions}).
 *
 * <p>Construction, one idiom for every built-in loss: the loss's own parameters are a
 * {@code Params} record checked in its constructor (ranges declared on its components,
 * {@link ParamChecks}), held by {@link ParamLoss}; the type name is the class's simple name; the
 * loss's descriptor {@code X.TYPE} (a
 * {@link LossType}) is the one place its entry points are written: {@code X.TYPE.fromConfig(Config)}
 * (the registry's factory) and {@code X.TYPE.builder()...build()} both fill that record and
 * {@link LossOptions}, then call the public constructor {@code X(LossOptions, X.Params)}. A bad value throws
 * {@link IllegalArgumentException} naming the parameter ({@link io.detkit.core.config.ConfigException}
 * with the key's path from a config); {@link #forward} throws it for inputs that do not fit (each
 * loss lists its cases).
 *
 * <p>Gradient output: by default every call returns its gradient in a new array, which the caller
 * frees with {@link LossResult#close()}. A caller that calls a loss repeatedly can hand in its own
 * array with {@link LossArgs#gradInto(INDArray)} (dense C order, {@code pred}'s shape and dtype);
 * every loss then writes the same bits into it (the fused focal path straight from its blocks, the
 * general pipeline from its float64 gradient) and the result's {@code gradPred()} is that array,
 * which {@code close()} leaves to the caller.
 */
public abstract class Loss {
  private final String type;
  private final LossOptions options;

  /**
   * A loss with the shared {@code options}; its type name is its class's simple name
   * ({@link ComponentType#typeNameOf}). A subclass takes its own parameters as one validated value
   * beside them (each built-in loss's {@code Params} record, held by {@link ParamLoss}), so that
   * {@code fromConfig} and the builder fill the same value.
   *
   * @throws NullPointerException if {@code options} is null
   * @throws IllegalArgumentException for an anonymous class, which has no name to register
   */
  protected Loss(LossOptions options) {
    this.type = ComponentType.typeNameOf(getClass());
    this.options = Objects.requireNonNull(options, "options");
  }

  /** MMDetection's type name, the class's simple name, e.g. {@code FocalLoss}. */
  public final String type() {
    return type;
  }

  /** The shared options: reduction (a call's override wins), loss_weight, check_finite. */
  public final LossOptions options() {
    return options;
  }

  /** The configured reduction (a call's override wins). */
  public final Reduction reduction() {
    return options.reduction();
  }

  /** Step 5's scale. */
  public final double lossWeight() {
    return options.lossWeight();
  }

  /** Whether non-finite results throw. */
  public final boolean checkFinite() {
    return options.checkFinite();
  }

  /** {@code forward(pred, target...)} with no weight, avg_factor or override. */
  public final LossResult forward(INDArray pred, INDArray... targets) {
    return forward(LossArgs.of(pred, targets));
  }

  /**
   * Runs the loss.
   *
   * @throws IllegalArgumentException for shapes, labels or weights that do not fit, or {@code sum}
   *     with an avg_factor
   * @throws NonFiniteLossException when {@code check_finite} is on and an input or the result is not
   *     finite
   */
  public final LossResult forward(LossArgs args) {
    Reduction r = args.reductionOverride().orElse(options.reduction());
    args.gradInto().ifPresent(out -> requireDisjoint(out, args));
    boolean checkFinite = options.checkFinite();
    if (checkFinite) {
      requireFiniteInputs(args);
    }
    LossResult result = intoCallersArray(compute(args, r), args);
    if (checkFinite) {
      requireFiniteResult(result);
    }
    return result;
  }

  /**
   * The whole pipeline: kernel, weight, reduction, scale. Override only where MMDetection's loss
   * departs from {@code weight_reduce_loss} (for example GHM's own normaliser); call
   * {@link #finish} to reuse steps 3 to 5.
   */
  protected LossResult compute(LossArgs args, Reduction r) {
    Elementwise e = kernel(args);
    double[] w = args.weight().isPresent() ? weightFor(args.weight().get(), e.shape(), args) : null;
    return finish(args, e, w, r, args.avgFactorOrNull());
  }

  /** The options {@link LossOutputs} checks results with. */
  final LossOutputs.Policy outputPolicy() {
    return new LossOutputs.Policy(type(), checkFinite(), hasPoles());
  }

  /**
   * Whether this loss's value or derivative has true poles at finite inputs (documented in
   * docs/mmdet-differences.md), which it returns as infinities; every other non-finite result from
   * finite inputs is an {@link IllegalArgumentException} (an overflow). False unless overridden.
   */
  protected boolean hasPoles() {
    return false;
  }

  /** Step 2: the element-wise loss of {@code args} and its backward map. */
  protected abstract Elementwise kernel(LossArgs args);

  /**
   * Adapts the caller's weight to the element-wise loss (step 3). The default broadcasts with
   * PyTorch's rules; losses whose MMDetection code reshapes the weight first override this.
   */
  protected double[] weightFor(INDArray weight, long[] lossShape, LossArgs args) {
    return WeightReduce.broadcast(weight, lossShape, "weight");
  }

  /** Steps 3 to 5 and the backward pass, producing results in the prediction's dtype. */
  protected final LossResult finish(LossArgs args, Elementwise e, double[] weight, Reduction r, Double avgFactor) {
    double[] up = args.upstream().isPresent() ? Tensors.toDoubles(args.upstream().get()) : null;
    WeightReduce.Reduced red = WeightReduce.apply(e.shape(), e.values(), weight, r, avgFactor, options.lossWeight(), up);
    double[] g = e.pullBack(red.gradLoss());
    return result(red.values(), red.shape(), g, args, r);
  }

  /**
   * The result of a call: {@code value} (of {@code valueShape}) and the gradient {@code grad} (flat,
   * C order, of the prediction's shape) in the prediction's dtype, the gradient written into the
   * caller's {@link LossArgs#gradInto} array when there is one; both checked by {@link LossOutputs}.
   */
  final LossResult result(double[] value, long[] valueShape, double[] grad, LossArgs args, Reduction r) {
    DataType dt = args.pred().dataType();
    INDArray v = LossOutputs.create(value, dt, valueShape, outputPolicy(), "value", args);
    INDArray out = args.gradInto().orElse(null);
    INDArray g = out == null ? LossOutputs.create(grad, dt, args.pred().shape(), outputPolicy(), "gradient", args)
        : LossOutputs.into(grad, out, outputPolicy(), "gradient", args);
    return new LossResult(v, g, r, out != null);
  }

  /**
   * Keeps {@link LossArgs#gradInto}'s contract for a {@link #compute} that made its own gradient (a
   * user's loss that builds its {@link LossResult} itself): its bits are copied into the caller's
   * array and the loss's own array released. The built-in losses write into it directly.
   */
  private static LossResult intoCallersArray(LossResult result, LossArgs args) {
    INDArray out = args.gradInto().orElse(null);
    if (out == null || result.gradPred() == out) {
      return result;
    }
    Checks.sameShape(out, result.gradPred(), "gradient of the loss's compute");
    out.assign(result.gradPred());
    if (result.gradPred().closeable() && !isInput(result.gradPred(), args)) {
      result.gradPred().close();
    }
    return new LossResult(result.value(), out, result.reduction(), true);
  }

  /** Whether {@code a} is one of the call's own input arrays (a compute may hand one back as its gradient). */
  private static boolean isInput(INDArray a, LossArgs args) {
    if (a == args.pred() || a == args.weight().orElse(null) || a == args.upstream().orElse(null)) {
      return true;
    }
    for (int i = 0; i < args.targetCount(); i++) {
      if (a == args.target(i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The gradient is written while the call may still read its inputs (the fused focal path reads
   * the scores block by block; an overflow report re-reads every input), so {@code gradInto} must not
   * share memory with any of them.
   */
  private static void requireDisjoint(INDArray out, LossArgs args) {
    requireDisjoint(out, args.pred(), "pred");
    for (int i = 0; i < args.targetCount(); i++) {
      requireDisjoint(out, args.target(i), args.targetCount() == 1 ? "target" : "target[" + i + "]");
    }
    args.weight().ifPresent(w -> requireDisjoint(out, w, "weight"));
    args.upstream().ifPresent(u -> requireDisjoint(out, u, "upstream"));
  }

  private static void requireDisjoint(INDArray out, INDArray input, String name) {
    if (out.isEmpty() || input.isEmpty()) {
      return;
    }
    long o0 = out.data().address();
    long o1 = o0 + out.data().length() * out.data().getElementSize();
    long i0 = input.data().address();
    long i1 = i0 + input.data().length() * input.data().getElementSize();
    if (o0 < i1 && i0 < o1) {
      throw new IllegalArgumentException("gradInto must not share memory with " + name + " (shape "
          + Tensors.shapeOf(input) + "); got an array over the same buffer, shape " + Tensors.shapeOf(out));
    }
  }

  /**
   * A bad input can still give a finite result (a -inf logit of a class that is not the target, a
   * NaN label weight that only masks an element out), so checking the result alone would let it
   * pass; with check_finite every floating-point input must be finite as well.
   */
  private void requireFiniteInputs(LossArgs args) {
    checkFinite(args.pred(), "pred");
    for (int i = 0; i < args.targetCount(); i++) {
      checkFinite(args.target(i), args.targetCount() == 1 ? "target" : "target[" + i + "]");
    }
    args.weight().ifPresent(w -> checkFinite(w, "weight"));
    args.upstream().ifPresent(u -> checkFinite(u, "upstream"));
  }

  private void checkFinite(INDArray input, String name) {
    if (input.dataType().isFPType()) {
      checkFinite(Tensors.toDoubles(input), name);
    }
  }

  private void requireFiniteResult(LossResult result) {
    checkFinite(Tensors.toDoubles(result.value()), "value");
    checkFinite(Tensors.toDoubles(result.gradPred()), "gradient");
  }

  private void checkFinite(double[] values, String what) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new NonFiniteLossException(type + ": " + what + " is not finite at element " + i + " ("
            + values[i] + ")");
      }
    }
  }

  /** MMDetection's style of repr: {@code Type(<params>, reduction='mean', loss_weight=1.0)}. */
  @Override
  public String toString() {
    return describe("");
  }

  /** {@link #toString()} with the loss's own {@code params} ({@code "gamma=2.0, alpha=0.25"}) first. */
  final String describe(String params) {
    return type + "(" + (params.isEmpty() ? "" : params + ", ") + "reduction='" + options.reduction().key()
        + "', loss_weight=" + options.lossWeight() + ")";
  }

  /** Python's spelling of a boolean, for reprs. */
  static String py(boolean b) {
    return b ? "True" : "False";
  }
}
