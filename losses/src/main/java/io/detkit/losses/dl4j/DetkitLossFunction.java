package io.detkit.losses.dl4j;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import io.detkit.losses.Reduction;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A detkit {@link Loss} as a DL4J / ND4J {@link ILossFunction}, for an output layer trained per
 * example: {@code new OutputLayer.Builder(DetkitLossFunction.focal(2.0, 0.25)).activation(Activation.IDENTITY)}.
 *
 * <p><b>Activation:</b> DL4J passes the layer's pre-activation output together with its activation
 * function. detkit's losses take raw scores and apply their own sigmoid (or softmax), so the output
 * layer must use {@code Activation.IDENTITY}; any other activation is rejected with an
 * {@link IllegalArgumentException} rather than applied twice. Probability-input losses
 * ({@code activated=True}, GaussianFocalLoss) receive the raw output unchanged and so only suit
 * layers whose output already lies in [0, 1].
 *
 * <p><b>Shapes:</b> {@code preOutput} is the loss's {@code pred} and {@code labels} its single
 * target, both {@code [minibatch, nOut]} as DL4J hands them over: one-hot or soft targets for
 * FocalLoss, IoU-aware scores for VarifocalLoss, dense quality scores for QualityFocalLoss, float
 * labels for the binary CrossEntropyLoss, boxes {@code [N,4]} (x1, y1, x2, y2) for the box-regression
 * losses. Losses that need several targets (GHMC's label_weight, QualityFocalLoss's (labels, scores)
 * tuple) are not reachable through DL4J's single label array.
 *
 * <p><b>Reduction:</b> DL4J scores each example and averages over the minibatch itself, so the
 * adapter always runs the loss with {@code reduction='none'} (the configured reduction and
 * {@code avg_factor} do not apply; {@code loss_weight} does) and an example's score is the sum of
 * its loss elements. {@link #computeGradient} returns the gradient of the sum of the (masked)
 * per-example scores; DL4J divides by the minibatch size.
 *
 * <p><b>Mask:</b> DL4J's label mask is honoured: a per-example mask ({@code [N,1]} or {@code [N]})
 * scales each example's score and gradient; a per-output mask of the loss's element-wise shape
 * ({@code [N,nOut]} for element-wise losses) scales each element. Other mask shapes are rejected.
 *
 * <p><b>Serialisation:</b> the adapter stores only the loss's MMDetection config dict (field
 * {@code config}) and rebuilds the loss from the {@link Losses#REGISTRY} on first use, so DL4J's
 * JSON (its shaded Jackson, with the class name in {@code @class}) and Java serialisation save and
 * restore models that use it. A user-defined loss must be registered under its type name before such
 * a model is loaded. The public no-argument constructor exists for Jackson only.
 *
 * <p>Thread-safe: the loss is built once (idempotently) and losses are immutable, except GHMC-like
 * losses with documented running statistics.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class DetkitLossFunction implements ILossFunction {
  private static final long serialVersionUID = 1L;

  @JsonProperty("config")
  private LinkedHashMap<String, Object> config;

  private transient volatile Loss loss;

  /** For Jackson and Java deserialisation only; use the static factories. */
  public DetkitLossFunction() {}

  private DetkitLossFunction(Config config) {
    this.config = new LinkedHashMap<>(config.toMap());
    this.loss = Losses.build(config);
  }

  /**
   * Wraps the loss that {@code config} describes, e.g.
   * {@code Config.of("type", "SmoothL1Loss", "beta", 1.0)} or {@code GIoULoss} on boxes.
   *
   * @throws io.detkit.core.config.ConfigException if the type is unknown or a parameter is bad
   */
  public static DetkitLossFunction of(Config config) {
    return new DetkitLossFunction(Objects.requireNonNull(config, "config"));
  }

  /** {@link #of(Config)} from a plain map. */
  public static DetkitLossFunction of(Map<String, ?> config) {
    return of(Config.of(Objects.requireNonNull(config, "config")));
  }

  /** Sigmoid {@code FocalLoss} on one-hot or soft targets of the output's shape. */
  public static DetkitLossFunction focal(double gamma, double alpha) {
    return of(Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", gamma, "alpha", alpha));
  }

  /** {@code VarifocalLoss} on IoU-aware score targets of the output's shape. */
  public static DetkitLossFunction varifocal(double alpha, double gamma, boolean iouWeighted) {
    return of(Config.of("type", "VarifocalLoss", "use_sigmoid", true, "alpha", alpha, "gamma", gamma,
        "iou_weighted", iouWeighted));
  }

  /** {@code QualityFocalLoss} on dense soft quality targets of the output's shape. */
  public static DetkitLossFunction qualityFocal(double beta) {
    return of(Config.of("type", "QualityFocalLoss", "use_sigmoid", true, "beta", beta));
  }

  /** The wrapped loss's config dict. @throws IllegalStateException if this instance was never configured */
  public Config config() {
    if (config == null) {
      throw new IllegalStateException("DetkitLossFunction has no loss config (created by the no-argument constructor"
          + " outside deserialisation)");
    }
    return Config.of(config);
  }

  /** The wrapped loss, built from the config on first use. */
  public Loss loss() {
    Loss l = loss;
    if (l == null) {
      l = Losses.build(config());
      loss = l;
    }
    return l;
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean average) {
    double[] perExample = evaluate(labels, preOutput, activationFn, mask, false).perExample;
    double sum = 0;
    for (double v : perExample) {
      sum += v;
    }
    return average && perExample.length > 0 ? sum / perExample.length : sum;
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    double[] perExample = evaluate(labels, preOutput, activationFn, mask, false).perExample;
    return Tensors.create(perExample, preOutput.dataType(), perExample.length, 1);
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    return evaluate(labels, preOutput, activationFn, mask, true).gradient;
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask, boolean average) {
    Evaluated e = evaluate(labels, preOutput, activationFn, mask, true);
    double sum = 0;
    for (double v : e.perExample) {
      sum += v;
    }
    return Pair.of(average && e.perExample.length > 0 ? sum / e.perExample.length : sum, e.gradient);
  }

  private record Evaluated(double[] perExample, INDArray gradient) {}

  private Evaluated evaluate(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
      boolean needGradient) {
    Loss l = loss();
    if (!(activationFn instanceof ActivationIdentity)) {
      throw new IllegalArgumentException(name() + " needs the output layer's activation to be IDENTITY: the loss"
          + " applies its own sigmoid/softmax to the raw scores; got activation " + activationFn);
    }
    Tensors.requireNonNull(labels, "labels");
    Tensors.requireFloating(preOutput, "preOutput");
    if (preOutput.rank() < 1 || preOutput.size(0) != labels.size(0)) {
      throw new IllegalArgumentException(name() + ": labels and preOutput must hold the same examples; got labels "
          + Tensors.shapeOf(labels) + " and preOutput " + Tensors.shapeOf(preOutput));
    }
    INDArray target = labels.dataType() == preOutput.dataType() ? labels : labels.castTo(preOutput.dataType());
    LossArgs args = LossArgs.of(preOutput, target).reductionOverride(Reduction.NONE);
    LossResult r = l.forward(args);
    long[] lossShape = r.value().shape();
    double[] values = Tensors.toDoubles(r.value());
    double[] m = mask == null ? null : maskFor(mask, lossShape, preOutput);
    int n = (int) preOutput.size(0);
    int perRow = n == 0 ? 0 : values.length / n;
    double[] perExample = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < perRow; j++) {
        int k = i * perRow + j;
        s += m == null ? values[k] : values[k] * m[k];
      }
      perExample[i] = s;
    }
    INDArray grad = null;
    if (needGradient) {
      grad = m == null ? r.gradPred()
          : l.forward(args.upstream(Tensors.create(m, preOutput.dataType(), lossShape))).gradPred();
    }
    return new Evaluated(perExample, grad);
  }

  /** The mask broadcast to the loss's element-wise shape. */
  private double[] maskFor(INDArray mask, long[] lossShape, INDArray preOutput) {
    double[] m = Tensors.toDoubles(mask);
    long total = 1;
    for (long d : lossShape) {
      total *= d;
    }
    if (Arrays.equals(mask.shape(), lossShape) || (m.length == total && mask.rank() == lossShape.length)) {
      return m;
    }
    long n = lossShape.length == 0 ? 1 : lossShape[0];
    if (m.length == n && (mask.rank() == 1 || (mask.rank() == 2 && mask.size(1) == 1))) {
      int perRow = (int) (total / Math.max(n, 1));
      double[] out = new double[(int) total];
      for (int i = 0; i < n; i++) {
        Arrays.fill(out, i * perRow, (i + 1) * perRow, m[i]);
      }
      return out;
    }
    throw new IllegalArgumentException(name() + ": mask must be per example ([N,1] or [N], N=" + n
        + ") or match the loss's element-wise shape " + Arrays.toString(lossShape).replace(" ", "")
        + " for preOutput " + Tensors.shapeOf(preOutput) + "; got " + Tensors.shapeOf(mask));
  }

  @Override
  public String name() {
    Object type = config == null ? null : config.get("type");
    return "DetkitLossFunction(" + type + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DetkitLossFunction f && Objects.equals(normalized(), f.normalized());
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(normalized());
  }

  /** Config equality across JSON round trips, where ints may come back as Integer or Long. */
  private Config normalized() {
    return config == null ? null : Config.of(config);
  }

  @Override
  public String toString() {
    return "DetkitLossFunction(" + (config == null ? "unconfigured" : Config.of(config).toString()) + ")";
  }
}
