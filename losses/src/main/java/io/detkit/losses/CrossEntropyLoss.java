package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
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
 * <p>Immutable and thread-safe.
 */
public final class CrossEntropyLoss extends Loss {
  public static final String TYPE = "CrossEntropyLoss";
  /** torch's {@code ignore_index} default, used when the config says None. */
  public static final int DEFAULT_IGNORE_INDEX = -100;

  private final boolean useSigmoid;
  private final double[] classWeight;
  private final int ignoreIndex;
  private final boolean avgNonIgnore;

  /** Builds from an MMDetection config dict. @throws IllegalArgumentException for use_mask=True or a bad value */
  public CrossEntropyLoss(Config c) {
    super(TYPE, c);
    this.useSigmoid = c.getBoolean("use_sigmoid", false);
    requireNoMask(c.getBoolean("use_mask", false), useSigmoid);
    this.classWeight = checkClassWeight(c.isNull("class_weight") ? null : c.getDoubleArray("class_weight"));
    this.ignoreIndex = c.getInt("ignore_index", DEFAULT_IGNORE_INDEX);
    this.avgNonIgnore = c.getBoolean("avg_non_ignore", false);
  }

  private CrossEntropyLoss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.useSigmoid = b.useSigmoid;
    this.classWeight = checkClassWeight(b.classWeight == null ? null : b.classWeight.clone());
    this.ignoreIndex = b.ignoreIndex;
    this.avgNonIgnore = b.avgNonIgnore;
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requireNoMask(boolean useMask, boolean useSigmoid) {
    if (useMask) {
      throw new IllegalArgumentException("CrossEntropyLoss: use_mask=True (MMDetection's mask_cross_entropy for"
          + " mask heads) is not supported by detkit; got use_mask=True" + (useSigmoid ? " with use_sigmoid=True"
          + " (MMDetection rejects that combination too)" : ""));
    }
  }

  private static double[] checkClassWeight(double[] w) {
    if (w != null) {
      for (int i = 0; i < w.length; i++) {
        if (!Double.isFinite(w[i])) {
          throw new IllegalArgumentException("CrossEntropyLoss: class_weight[" + i + "] must be finite; got " + w[i]);
        }
      }
    }
    return w;
  }

  public boolean useSigmoid() {
    return useSigmoid;
  }

  /** A copy of the class weights, or null. */
  public double[] classWeight() {
    return classWeight == null ? null : classWeight.clone();
  }

  public int ignoreIndex() {
    return ignoreIndex;
  }

  public boolean avgNonIgnore() {
    return avgNonIgnore;
  }

  @Override
  protected LossResult compute(LossArgs args, Reduction r) {
    return useSigmoid ? binary(args, r) : softmax(args, r);
  }

  /** Not used: {@link #compute} builds the element-wise loss together with its validity mask. */
  @Override
  protected Elementwise kernel(LossArgs args) {
    return useSigmoid ? binaryKernel(args).loss : softmaxKernel(args).loss;
  }

  private record Prepared(Elementwise loss, double[] validMask, long validCount) {}

  private LossResult softmax(LossArgs args, Reduction r) {
    Prepared p = softmaxKernel(args);
    double[] w = args.weight().isPresent() ? weightFor(args.weight().get(), p.loss.shape(), args) : null;
    Double avg = args.avgFactor().isPresent() ? Double.valueOf(args.avgFactor().getAsDouble()) : null;
    if (avg == null && avgNonIgnore && r == Reduction.MEAN) {
      avg = (double) p.validCount;
    }
    return finish(args, p.loss, w, r, avg);
  }

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
    long[] y = ClsMath.labels(label, "CrossEntropyLoss (softmax): label", 0, c - 1, ignoreIndex,
        "ignore_index=" + ignoreIndex);
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
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
          max = Math.max(max, x[base + j * inner]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
          sum += Math.exp(x[base + j * inner] - max);
        }
        double lse = max + Math.log(sum);
        for (int j = 0; j < c; j++) {
          prob[base + j * inner] = Math.exp(x[base + j * inner] - lse);
        }
        if (y[k] != ignoreIndex) {
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
          if (y[k] == ignoreIndex || up[k] == 0) {
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

  private LossResult binary(LossArgs args, Reduction r) {
    INDArray pred = args.pred();
    INDArray label = args.target();
    Prepared p = binaryKernel(args);
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
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < c; j++) {
            w[i * c + j] *= rw[i];
          }
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
    Double avg = args.avgFactor().isPresent() ? Double.valueOf(args.avgFactor().getAsDouble()) : null;
    if (avg == null && avgNonIgnore && r == Reduction.MEAN) {
      avg = (double) p.validCount;
    }
    return finish(args, p.loss, w, r, avg);
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
          ignoreIndex, "label " + c + " = num_classes is the background; negative labels and ignore_index="
          + ignoreIndex + " are ignored");
      t = new double[n * c];
      valid = new double[n * c];
      for (int i = 0; i < n; i++) {
        boolean ok = y[i] >= 0 && y[i] != ignoreIndex;
        if (ok) {
          Arrays.fill(valid, i * c, (i + 1) * c, 1.0);
          validCount += c;
          if (y[i] < c) {
            t[i * c + (int) y[i]] = 1.0;
          }
        }
      }
    } else {
      ClsMath.requireSameShape(pred, label, "label", TYPE + " (use_sigmoid=True)");
      t = Tensors.toDoubles(label);
      ClsMath.requireFinite(t, "CrossEntropyLoss: label");
      valid = new double[t.length];
      for (int i = 0; i < t.length; i++) {
        if (t[i] >= 0 && t[i] != ignoreIndex) {
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
    Elementwise e = new Elementwise(shape, loss, up -> {
      double[] g = new double[up.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = up[i] * dLoss[i];
      }
      return g;
    });
    return new Prepared(e, valid, validCount);
  }

  @Override
  public String toString() {
    return "CrossEntropyLoss(use_sigmoid=" + (useSigmoid ? "True" : "False") + ", class_weight="
        + (classWeight == null ? "None" : Arrays.toString(classWeight)) + ", ignore_index=" + ignoreIndex
        + ", avg_non_ignore=" + (avgNonIgnore ? "True" : "False") + ", reduction='" + reduction().key()
        + "', loss_weight=" + lossWeight() + ")";
  }

  /** Java-side construction with MMDetection's defaults. */
  public static final class Builder {
    private boolean useSigmoid;
    private double[] classWeight;
    private int ignoreIndex = DEFAULT_IGNORE_INDEX;
    private boolean avgNonIgnore;
    private Reduction reduction = Reduction.MEAN;
    private double lossWeight = 1.0;
    private boolean checkFinite;

    private Builder() {}

    public Builder useSigmoid(boolean useSigmoid) {
      this.useSigmoid = useSigmoid;
      return this;
    }

    /** Per-class weights (softmax: weight of the true class; sigmoid: torch's pos_weight); null for none. */
    public Builder classWeight(double... classWeight) {
      this.classWeight = classWeight == null ? null : classWeight.clone();
      return this;
    }

    /** Per-class weights as a list; null for none. */
    public Builder classWeight(List<Double> classWeight) {
      this.classWeight = classWeight == null ? null : classWeight.stream().mapToDouble(Double::doubleValue).toArray();
      return this;
    }

    public Builder ignoreIndex(int ignoreIndex) {
      this.ignoreIndex = ignoreIndex;
      return this;
    }

    public Builder avgNonIgnore(boolean avgNonIgnore) {
      this.avgNonIgnore = avgNonIgnore;
      return this;
    }

    public Builder reduction(Reduction reduction) {
      this.reduction = reduction;
      return this;
    }

    public Builder lossWeight(double lossWeight) {
      this.lossWeight = lossWeight;
      return this;
    }

    public Builder checkFinite(boolean checkFinite) {
      this.checkFinite = checkFinite;
      return this;
    }

    /** @throws IllegalArgumentException for a non-finite class weight or loss_weight */
    public CrossEntropyLoss build() {
      return new CrossEntropyLoss(this);
    }
  }
}
