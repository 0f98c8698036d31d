package io.detkit.losses;

import com.google.common.primitives.ImmutableDoubleArray;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.RecordBinder;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code CrossEntropyLoss} in its softmax and binary (sigmoid) forms.
 *
 * <p><b>Softmax</b> ({@code use_sigmoid=False}): {@code cls_score} is {@code [N,C]} (or
 * {@code [N,C,d1,...]}) logits, {@code label} holds integer ids in {@code [0, C)} of shape
 * {@code [N]} (or {@code [N,d1,...]}), or {@code ignore_index}. The per-sample loss is
 * {@code class_weight[y] * (logsumexp(x) - x[y])} (0 for ignored samples) of shape {@code [N]}, then
 * the shared pipeline: {@code 'mean'} divides by N, ignored samples included and class weights not in
 * the denominator (unlike torch's own weighted mean), unless {@code avg_non_ignore=True}, which uses
 * the number of non-ignored labels as {@code avg_factor} when none is given and the reduction is
 * {@code 'mean'}.
 *
 * <p><b>Binary</b> ({@code use_sigmoid=True}): with {@code [N]} integer labels against {@code [N,C]}
 * scores the labels become one-hot rows (label C, the background, gives a zero row); rows whose
 * label is negative or equals {@code ignore_index} get weight 0; a weight must hold one value per row
 * ({@code [N]} or {@code [N,1]}) and is repeated over the C columns. With a float label of the
 * score's shape (soft targets such as ATSS centerness) elements with a negative label or one equal to
 * {@code ignore_index} get weight 0 and the weight broadcasts against the loss. The element loss is
 * {@code BCEWithLogits} with {@code class_weight} as torch's {@code pos_weight} (broadcast over the
 * last dimension); {@code 'mean'} divides by all elements, or with {@code avg_non_ignore} by the
 * number of valid elements.
 *
 * <p>Config keys: {@code use_sigmoid} (False), {@code use_mask} (False; True is rejected: detkit has
 * no mask cross-entropy), {@code reduction}, {@code class_weight} (None or a list of floats),
 * {@code ignore_index} (None means -100, torch's default), {@code loss_weight},
 * {@code avg_non_ignore} (False), detkit's {@code check_finite}.
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when the label's shape does not fit
 * the form (see above), a label id is out of range and not {@code ignore_index}, a float label is
 * not finite, {@code class_weight} has the wrong length, or the weight does not fit. Immutable and
 * thread-safe.
 */
public final class CrossEntropyLoss extends ParamLoss<CrossEntropyLoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, CrossEntropyLoss> TYPE = LossType.of(CrossEntropyLoss.class,
      RecordBinder.of(Params.DEFAULTS).then(CrossEntropyLoss::requireNoMask), CrossEntropyLoss::new);
  /** torch's {@code ignore_index} default, used when the config says None. */
  public static final int DEFAULT_IGNORE_INDEX = -100;

  /** {@link Params#classWeight} unboxed for the kernels, or null. */
  private final double[] classWeight;

  /**
   * CrossEntropyLoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param useSigmoid binary cross-entropy per element rather than softmax over the last dimension
   * @param classWeight per-class weights (softmax: weight of the true class; sigmoid: torch's
   *     {@code pos_weight}), each finite; null for none
   * @param ignoreIndex the label that is left out ({@code None} in a config is torch's -100)
   * @param avgNonIgnore whether {@code 'mean'} divides by the non-ignored count
   */
  @RecordBuilder
  public record Params(boolean useSigmoid, ImmutableDoubleArray classWeight, int ignoreIndex,
      boolean avgNonIgnore) implements CrossEntropyLossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(false, null, DEFAULT_IGNORE_INDEX, false);

    /** @throws IllegalArgumentException {@code "CrossEntropyLoss: class_weight[1] must be finite; got NaN"} */
    public Params {
      for (int i = 0; classWeight != null && i < classWeight.length(); i++) {
        if (!Double.isFinite(classWeight.get(i))) {
          throw new ParamChecks.BadParameter("class_weight", "CrossEntropyLoss: class_weight[" + i + "] must be finite; got "
              + classWeight.get(i));
        }
      }
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public CrossEntropyLoss(LossOptions options, Params params) {
    super(options, params);
    this.classWeight = params().classWeight() == null ? null : params().classWeight().toArray();
  }

  /** The config-only key {@code use_mask}, which must stay False (a {@link RecordBinder#then} step). */
  private static Params requireNoMask(Config c, Params params) {
    boolean useSigmoid = params.useSigmoid();
    if (c.getBoolean("use_mask", false)) {
      throw ConfigException.at(c.pathOf("use_mask"), "CrossEntropyLoss: use_mask=True (MMDetection's mask_cross_entropy for"
          + " mask heads) is not supported by detkit; got use_mask=True" + (useSigmoid ? " with use_sigmoid=True"
          + " (MMDetection rejects that combination too)" : ""));
    }
    return params;
  }

  /** Whether this is the binary (sigmoid) form, which the heads' score activation follows. */
  public boolean useSigmoid() {
    return params().useSigmoid();
  }

  @Override
  protected LossResult compute(LossArgs args, Reduction r) {
    boolean useSigmoid = params().useSigmoid();
    Prepared p = useSigmoid ? binaryKernel(args) : softmaxKernel(args);
    double[] w = useSigmoid ? binaryWeight(args, p)
        : args.weight().isPresent() ? weightFor(args.weight().get(), p.loss.shape(), args) : null;
    Double avg = args.avgFactorOrNull();
    if (avg == null && params().avgNonIgnore() && r == Reduction.MEAN) {
      avg = (double) p.validCount;
    }
    return finish(args, p.loss, w, r, avg);
  }

  /** Not used: {@link #compute} builds the element-wise loss together with its validity mask. */
  @Override
  protected Elementwise kernel(LossArgs args) {
    return params().useSigmoid() ? binaryKernel(args).loss : softmaxKernel(args).loss;
  }

  private record Prepared(Elementwise loss, double[] validMask, long validCount) {}

  private Prepared softmaxKernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray label = args.target();
    if (pred.rank() < 2) {
      throw new IllegalArgumentException("CrossEntropyLoss (softmax): cls_score must be [N,C] or [N,C,d1,...]; got "
          + Tensors.shapeOf(pred));
    }
    long[] ps = pred.shape();
    long[] ls = new long[ps.length - 1];
    ls[0] = ps[0];
    System.arraycopy(ps, 2, ls, 1, ps.length - 2);
    if (!Arrays.equals(label.shape(), ls)) {
      throw new IllegalArgumentException("CrossEntropyLoss (softmax): label must be " + ClsMath.shape(ls)
          + " class ids for cls_score " + Tensors.shapeOf(pred) + "; got " + Tensors.shapeOf(label));
    }
    int c = (int) ps[1];
    if (classWeight != null && classWeight.length != c) {
      throw new IllegalArgumentException("CrossEntropyLoss: class_weight must have one entry per class (C=" + c
          + " for cls_score " + Tensors.shapeOf(pred) + "); got " + classWeight.length);
    }
    long[] y = ClsMath.labels(label, "CrossEntropyLoss (softmax): label", 0, c - 1, params().ignoreIndex(),
        "ignore_index=" + params().ignoreIndex());
    double[] x = Tensors.toDoubles(pred);
    int n = (int) ps[0];
    int inner = y.length / Math.max(n, 1);
    double[] loss = new double[y.length];
    double[] prob = new double[x.length];
    double[] valid = new double[y.length];
    long validCount = 0;
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < inner; s++) {
        int k = i * inner + s;
        int base = i * c * inner + s;
        double lse = ClsMath.logSoftmax(x, base, inner, c, prob);
        if (y[k] != params().ignoreIndex()) {
          int yk = (int) y[k];
          double cw = classWeight == null ? 1.0 : classWeight[yk];
          loss[k] = cw * (lse - x[base + yk * inner]);
          valid[k] = 1.0;
          validCount++;
        }
      }
    }
    long[] lossShape = ls;
    Elementwise e = new Elementwise(lossShape, loss, up -> {
      double[] g = new double[x.length];
      for (int i = 0; i < n; i++) {
        for (int s = 0; s < inner; s++) {
          int k = i * inner + s;
          if (y[k] == params().ignoreIndex() || up[k] == 0) {
            continue;
          }
          int yk = (int) y[k];
          double scale = up[k] * (classWeight == null ? 1.0 : classWeight[yk]);
          int base = i * c * inner + s;
          for (int j = 0; j < c; j++) {
            g[base + j * inner] = scale * (prob[base + j * inner] - (j == yk ? 1.0 : 0.0));
          }
        }
      }
      return g;
    });
    return new Prepared(e, valid, validCount);
  }

  /**
   * The binary form's weight: the validity mask (ignored labels get 0) times the caller's weight,
   * which is one value per row against class ids and broadcasts against a float label.
   */
  private static double[] binaryWeight(LossArgs args, Prepared p) {
    INDArray pred = args.pred();
    INDArray label = args.target();
    long[] shape = p.loss.shape();
    double[] valid = p.validMask;
    double[] w;
    if (label.rank() != pred.rank()) {
      w = valid.clone();
      if (args.weight().isPresent()) {
        INDArray weight = args.weight().get();
        int n = (int) shape[0];
        int c = (int) shape[1];
        double[] rw = Tensors.toDoubles(weight);
        if (rw.length != n || weight.rank() > 2) {
          throw new IllegalArgumentException("CrossEntropyLoss (use_sigmoid=True with class ids): weight must be [N]"
              + " or [N,1] (N=" + n + ") and is repeated over the C=" + c + " classes; got " + Tensors.shapeOf(weight)
              + " for cls_score " + Tensors.shapeOf(pred));
        }
        double[] repeated = ClsMath.repeatRows(rw, c);
        for (int k = 0; k < w.length; k++) {
          w[k] *= repeated[k];
        }
      }
    } else if (args.weight().isPresent()) {
      w = WeightReduce.broadcast(args.weight().get(), shape, "weight");
      for (int i = 0; i < w.length; i++) {
        w[i] *= valid[i];
      }
    } else {
      w = valid;
    }
    return w;
  }

  private Prepared binaryKernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray label = args.target();
    double[] x = Tensors.toDoubles(pred);
    double[] t;
    double[] valid;
    long validCount = 0;
    long[] shape = pred.shape();
    if (label.rank() != pred.rank()) {
      if (pred.rank() != 2 || label.rank() != 1 || label.size(0) != pred.size(0)) {
        throw new IllegalArgumentException("CrossEntropyLoss (use_sigmoid=True): label must be [N] class ids against"
            + " [N,C] cls_score, or have cls_score's shape; got label " + Tensors.shapeOf(label) + " for cls_score "
            + Tensors.shapeOf(pred));
      }
      int n = (int) pred.size(0);
      int c = (int) pred.size(1);
      long[] y = ClsMath.labels(label, "CrossEntropyLoss (use_sigmoid=True): label", Long.MIN_VALUE, c,
          params().ignoreIndex(), "label " + c + " = num_classes is the background; negative labels and ignore_index="
          + params().ignoreIndex() + " are ignored");
      t = new double[n * c];
      valid = new double[n * c];
      for (int i = 0; i < n; i++) {
        boolean ok = y[i] >= 0 && y[i] != params().ignoreIndex();
        if (ok) {
          Arrays.fill(valid, i * c, (i + 1) * c, 1.0);
          validCount += c;
          if (y[i] < c) {
            t[i * c + (int) y[i]] = 1.0;
          }
        }
      }
    } else {
      Checks.sameShape(pred, label, type() + " (use_sigmoid=True): label");
      t = Tensors.toDoubles(label);
      Tensors.requireFinite(t, "CrossEntropyLoss: label");
      valid = new double[t.length];
      for (int i = 0; i < t.length; i++) {
        if (t[i] >= 0 && t[i] != params().ignoreIndex()) {
          valid[i] = 1.0;
          validCount++;
        }
      }
    }
    int last = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    if (classWeight != null && classWeight.length != last && classWeight.length != 1) {
      throw new IllegalArgumentException("CrossEntropyLoss (use_sigmoid=True): class_weight is torch's pos_weight and"
          + " must have one entry per class (last dimension " + last + " of cls_score " + Tensors.shapeOf(pred)
          + "); got " + classWeight.length);
    }
    double[] loss = new double[x.length];
    double[] dLoss = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double pw = classWeight == null ? 1.0 : classWeight[classWeight.length == 1 ? 0 : i % last];
      loss[i] = ClsMath.bceWithLogits(x[i], t[i], pw);
      dLoss[i] = ClsMath.bceWithLogitsGrad(x[i], t[i], pw);
    }
    return new Prepared(Elementwise.diagonal(shape, loss, dLoss), valid, validCount);
  }

  @Override
  public String toString() {
    return describe("use_sigmoid=" + py(params().useSigmoid()) + ", class_weight="
        + (classWeight == null ? "None" : Arrays.toString(classWeight)) + ", ignore_index=" + params().ignoreIndex()
        + ", avg_non_ignore=" + py(params().avgNonIgnore()));
  }
}
