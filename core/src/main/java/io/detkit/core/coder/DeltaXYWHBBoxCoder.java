package io.detkit.core.coder;

import static io.detkit.core.precision.Precision.round;

import com.google.common.primitives.ImmutableDoubleArray;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.config.RecordBinder;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code DeltaXYWHBBoxCoder} (R-CNN deltas): a box {@code (x1, y1, x2, y2)} is
 * encoded relative to a prior as {@code ((gx - px) / pw, (gy - py) / ph, log(gw / pw), log(gh /
 * ph))}, then normalized as {@code (delta - target_means) / target_stds}. Centres are {@code (x1 +
 * x2) * 0.5}, sizes {@code x2 - x1} (no +1).
 *
 * <p>Decoding denormalizes ({@code d * stds + means}), shifts the centre by {@code pw * dx},
 * clamps {@code dw, dh} to {@code [-max_ratio, max_ratio]} with {@code max_ratio =
 * |log(wh_ratio_clip)|} (default {@code wh_ratio_clip = 16/1000}) and scales by {@code exp(dw)}.
 * With {@code add_ctr_clamp} (YOLOF) the centre shift is clamped to {@code [-ctr_clamp,
 * ctr_clamp]} pixels and {@code dw, dh} only from above. With {@code clip_border} and a {@code
 * max_shape}, x is clamped to {@code [0, w]} and y to {@code [0, h]}; gradients are zero wherever a
 * clamp is active. Predictions may be {@code [N, 4*k]}: k boxes per prior.
 *
 * <p>MMDetection casts encoding inputs to float32, so {@link #encode} computes in float32 even for
 * float64 input (the result keeps the promoted input dtype, holding float32 values). Decoding keeps
 * the input precision.
 *
 * <p>Config keys ({@code type='DeltaXYWHBBoxCoder'}): {@code target_means} (default 0s), {@code
 * target_stds} (default 1s), {@code clip_border} (True), {@code add_ctr_clamp} (False), {@code
 * ctr_clamp} (32). {@code wh_ratio_clip} is a decode argument, as in MMDetection. Immutable and
 * thread-safe.
 */
public final class DeltaXYWHBBoxCoder extends BaseBBoxCoder {
  /** MMDetection's default {@code wh_ratio_clip}, 16/1000. */
  public static final double DEFAULT_WH_RATIO_CLIP = 16.0 / 1000;

  /**
   * The coder's parameters, validated once here for the constructor, the builder-free shorthands
   * and {@code fromConfig} alike.
   *
   * @param targetMeans 4 finite means {@code (x, y, w, h)} subtracted from the deltas
   * @param targetStds 4 finite non-zero standard deviations the deltas are divided by
   * @param clipBorder whether decoding clamps to {@code max_shape}
   * @param addCtrClamp whether decoding clamps the centre shift to {@code ctrClamp} pixels (YOLOF)
   * @param ctrClamp the largest centre shift in pixels, finite and &gt;= 0
   * @throws IllegalArgumentException naming the parameter that is out of range
   */
  public record Params(ImmutableDoubleArray targetMeans, ImmutableDoubleArray targetStds, boolean clipBorder,
      boolean addCtrClamp, @NonNegative double ctrClamp) {
    /**
     * {@code ctr_clamp}'s range declared on its component ({@link ParamChecks}); the two 4-vectors
     * by hand (a length and a rule per element, which no component rule covers).
     */
    public Params {
      ParamChecks.check(Params.class, targetMeans, targetStds, clipBorder, addCtrClamp, ctrClamp);
      four("target_means", targetMeans, false);
      four("target_stds", targetStds, true);
    }

    /** MMDetection's defaults: means 0, stds 1, clip_border on, no centre clamp (at 32 pixels). */
    public static Params defaults() {
      return new Params(ImmutableDoubleArray.of(0, 0, 0, 0), ImmutableDoubleArray.of(1, 1, 1, 1), true, false, 32);
    }

    /** These parameters with other means and stds. */
    public Params withMeansAndStds(double[] means, double[] stds) {
      return new Params(copy("target_means", means), copy("target_stds", stds), clipBorder, addCtrClamp, ctrClamp);
    }
  }

  private final Params params;

  /** The coder with {@code params}. */
  public DeltaXYWHBBoxCoder(Params params) {
    super(4, true);
    this.params = Tensors.requireNonNull(params, "params");
  }

  /**
   * @param targetMeans 4 finite means
   * @param targetStds 4 finite non-zero standard deviations
   * @param clipBorder whether decoding clamps to {@code max_shape}
   * @param addCtrClamp whether decoding clamps the centre shift (YOLOF)
   * @param ctrClamp the largest centre shift in pixels, finite and &gt;= 0
   * @throws IllegalArgumentException naming the parameter that is out of range
   */
  public DeltaXYWHBBoxCoder(double[] targetMeans, double[] targetStds, boolean clipBorder, boolean addCtrClamp,
      double ctrClamp) {
    this(new Params(copy("target_means", targetMeans), copy("target_stds", targetStds), clipBorder, addCtrClamp,
        ctrClamp));
  }

  /** MMDetection's defaults: means 0, stds 1, clip_border on, no centre clamp. */
  public DeltaXYWHBBoxCoder() {
    this(Params.defaults());
  }

  /** The given means and stds with MMDetection's other defaults. */
  public static DeltaXYWHBBoxCoder of(double[] targetMeans, double[] targetStds) {
    return new DeltaXYWHBBoxCoder(Params.defaults().withMeansAndStds(targetMeans, targetStds));
  }

  /** Reads every {@link Params} component from its key, defaulting to {@link Params#defaults()}. */
  private static final RecordBinder<Params> BINDER = RecordBinder.of(Params.defaults());

  /**
   * Builds from an MMDetection config dict, as {@link io.detkit.core.CoreRegistries#BBOX_CODERS} does for
   * type {@code DeltaXYWHBBoxCoder} (the {@code type} key is not checked here).
   *
   * @throws io.detkit.core.config.ConfigException naming the key for a missing, unknown-typed or
   *     invalid parameter
   */
  public static DeltaXYWHBBoxCoder fromConfig(Config c) {
    return ConfigException.reraisedAt(c, () -> new DeltaXYWHBBoxCoder(BINDER.apply(c)));
  }

  /** The parameters (immutable). */
  public Params params() {
    return params;
  }

  private static ImmutableDoubleArray copy(String name, double[] v) {
    return ImmutableDoubleArray.copyOf(Tensors.requireNonNull(v, name));
  }

  private static void four(String name, ImmutableDoubleArray v, boolean nonZero) {
    Tensors.requireNonNull(v, name);
    if (v.length() != 4) {
      throw new IllegalArgumentException(name + " must have 4 values (x, y, w, h); got " + v.length());
    }
    for (int i = 0; i < 4; i++) {
      double x = v.get(i);
      if (!Double.isFinite(x) || (nonZero && x == 0)) {
        throw new IllegalArgumentException(name + "[" + i + "] must be finite" + (nonZero ? " and non-zero" : "")
            + "; got " + x);
      }
      // Float32 inputs are encoded with float32 means and stds: a std that rounds to 0 (1e-320) or
      // to a subnormal would divide every delta into infinity, and a mean beyond 3.4e38 is infinite.
      float f = (float) x;
      if (!Float.isFinite(f) || (nonZero && Math.abs(f) < Float.MIN_NORMAL)) {
        throw new IllegalArgumentException(name + "[" + i + "] must be " + (nonZero ? "non-zero and " : "")
            + "within float32's range (" + (nonZero ? Float.MIN_NORMAL + " to " : "up to ") + Float.MAX_VALUE
            + " in magnitude), where float32 boxes are encoded; got " + x);
      }
    }
  }

  /** {@link #decode(INDArray, INDArray, int[])} with an explicit {@code wh_ratio_clip} (finite, &gt; 0). */
  public INDArray decode(INDArray bboxes, INDArray pred, int[] maxShape, double whRatioClip) {
    checkRatioClip(whRatioClip);
    return decodeWith(bboxes, pred, maxShape, null, kernel(whRatioClip));
  }

  /**
   * {@link #decodeVjp(INDArray, INDArray, int[], INDArray)} with an explicit {@code wh_ratio_clip}.
   *
   * @throws IllegalArgumentException as {@link #decodeVjp(INDArray, INDArray, int[], INDArray)}, or
   *     if {@code whRatioClip} is not finite and &gt; 0
   */
  public INDArray decodeVjp(INDArray bboxes, INDArray pred, int[] maxShape, double whRatioClip, INDArray upstream) {
    checkRatioClip(whRatioClip);
    if (upstream == null) {
      throw new IllegalArgumentException("upstream must not be null");
    }
    return decodeWith(bboxes, pred, maxShape, upstream, kernel(whRatioClip));
  }

  /** Flat float32 {@link #decode(INDArray, INDArray, int[], double)}. */
  public float[] decode(float[] bboxes, float[] pred, int[] maxShape, double whRatioClip) {
    checkRatioClip(whRatioClip);
    return Tensors.narrow(decodeFlat(Tensors.widen(bboxes), Tensors.widen(pred), maxShape, null, true,
        kernel(whRatioClip)));
  }

  /** Flat float64 {@link #decode(INDArray, INDArray, int[], double)}. */
  public double[] decode(double[] bboxes, double[] pred, int[] maxShape, double whRatioClip) {
    checkRatioClip(whRatioClip);
    return decodeFlat(bboxes, pred, maxShape, null, false, kernel(whRatioClip));
  }

  /**
   * Flat float32 {@link #decodeVjp(INDArray, INDArray, int[], double, INDArray)}.
   *
   * @throws IllegalArgumentException as that method
   */
  public float[] decodeVjp(float[] bboxes, float[] pred, int[] maxShape, double whRatioClip, float[] upstream) {
    checkRatioClip(whRatioClip);
    if (upstream == null) {
      throw new IllegalArgumentException("upstream must not be null");
    }
    return Tensors.narrow(decodeFlat(Tensors.widen(bboxes), Tensors.widen(pred), maxShape,
        Tensors.widen(upstream), true, kernel(whRatioClip)));
  }

  /**
   * Flat float64 {@link #decodeVjp(INDArray, INDArray, int[], double, INDArray)}.
   *
   * @throws IllegalArgumentException as that method
   */
  public double[] decodeVjp(double[] bboxes, double[] pred, int[] maxShape, double whRatioClip,
      double[] upstream) {
    checkRatioClip(whRatioClip);
    if (upstream == null) {
      throw new IllegalArgumentException("upstream must not be null");
    }
    return decodeFlat(bboxes, pred, maxShape, upstream, false, kernel(whRatioClip));
  }

  private static void checkRatioClip(double whRatioClip) {
    if (!(whRatioClip > 0) || !Double.isFinite(whRatioClip)) {
      throw new IllegalArgumentException("wh_ratio_clip must be finite and > 0; got " + whRatioClip);
    }
  }

  private DecodeKernel kernel(double whRatioClip) {
    return (p, d, ms, f32, out, up, grad) -> decode(p, d, ms, whRatioClip, f32, out, up, grad);
  }

  @Override
  void encodeKernel(double[] priors, double[] gt, boolean f32, double[] out) {
    // MMDetection calls .float() on both inputs: always float32.
    boolean f = true;
    int n = priors.length / 4;
    double[] m = new double[4];
    double[] s = new double[4];
    for (int j = 0; j < 4; j++) {
      m[j] = round(params.targetMeans().get(j), f);
      s[j] = round(params.targetStds().get(j), f);
    }
    for (int i = 0; i < n; i++) {
      int o = 4 * i;
      double p0 = round(priors[o], f);
      double p1 = round(priors[o + 1], f);
      double p2 = round(priors[o + 2], f);
      double p3 = round(priors[o + 3], f);
      double g0 = round(gt[o], f);
      double g1 = round(gt[o + 1], f);
      double g2 = round(gt[o + 2], f);
      double g3 = round(gt[o + 3], f);
      double px = round(round(p0 + p2, f) * 0.5, f);
      double py = round(round(p1 + p3, f) * 0.5, f);
      double pw = round(p2 - p0, f);
      double ph = round(p3 - p1, f);
      double gx = round(round(g0 + g2, f) * 0.5, f);
      double gy = round(round(g1 + g3, f) * 0.5, f);
      double gw = round(g2 - g0, f);
      double gh = round(g3 - g1, f);
      double[] d = {
        round(round(gx - px, f) / pw, f),
        round(round(gy - py, f) / ph, f),
        round(Math.log(round(gw / pw, f)), f),
        round(Math.log(round(gh / ph, f)), f)
      };
      for (int j = 0; j < 4; j++) {
        out[o + j] = round(round(d[j] - m[j], f) / s[j], f);
      }
    }
  }

  @Override
  void decodeKernel(double[] priors, double[] pred, int[] maxShape, boolean f32, double[] out, double[] upstream,
      double[] grad) {
    decode(priors, pred, maxShape, DEFAULT_WH_RATIO_CLIP, f32, out, upstream, grad);
  }

  /**
   * The decode loop; with {@code grad} non-null it also back-propagates {@code upstream}, masking
   * the clamps as torch's clamp backward does (gradient passes where {@code lo <= v <= hi}).
   */
  private void decode(double[] priors, double[] pred, int[] maxShape, double whRatioClip, boolean f, double[] out,
      double[] upstream, double[] grad) {
    int n = priors.length / 4;
    if (n == 0) {
      return;
    }
    int k = pred.length / (4 * n);
    double[] m = new double[4];
    double[] s = new double[4];
    for (int j = 0; j < 4; j++) {
      m[j] = round(params.targetMeans().get(j), f);
      s[j] = round(params.targetStds().get(j), f);
    }
    double maxRatio = round(Math.abs(Math.log(whRatioClip)), f);
    double cc = round(params.ctrClamp(), f);
    ClipBounds bounds = ClipBounds.of(params.clipBorder(), maxShape, f);
    for (int i = 0; i < n; i++) {
      double x1 = priors[4 * i];
      double y1 = priors[4 * i + 1];
      double x2 = priors[4 * i + 2];
      double y2 = priors[4 * i + 3];
      double[] pc = {round(round(x1 + x2, f) * 0.5, f), round(round(y1 + y2, f) * 0.5, f)};
      double[] ps = {round(x2 - x1, f), round(y2 - y1, f)};
      for (int b = 0; b < k; b++) {
        int o = 4 * (i * k + b);
        // Axis a: 0 = x (columns 0 and 2 of the delta), 1 = y (columns 1 and 3).
        for (int a = 0; a < 2; a++) {
          double dShift = round(round(pred[o + a] * s[a], f) + m[a], f);
          double dSize = round(round(pred[o + 2 + a] * s[2 + a], f) + m[2 + a], f);
          double shift = round(ps[a] * dShift, f);
          boolean shiftPasses = true;
          boolean sizePasses;
          if (params.addCtrClamp()) {
            shiftPasses = shift >= -cc && shift <= cc;
            shift = Math.min(Math.max(shift, -cc), cc);
            sizePasses = dSize <= maxRatio;
            dSize = Math.min(dSize, maxRatio);
          } else {
            sizePasses = dSize >= -maxRatio && dSize <= maxRatio;
            dSize = Math.min(Math.max(dSize, -maxRatio), maxRatio);
          }
          double centre = round(pc[a] + shift, f);
          double scale = round(Math.exp(dSize), f);
          double size = round(ps[a] * scale, f);
          double half = round(size * 0.5, f);
          double lo = round(centre - half, f);
          double hi = round(centre + half, f);
          boolean loPasses = true;
          boolean hiPasses = true;
          if (bounds.active()) {
            // torch.clamp here (delta2bbox), not the where-pair of the other coders.
            double bound = bounds.bound(a);
            loPasses = lo >= 0 && lo <= bound;
            hiPasses = hi >= 0 && hi <= bound;
            lo = Math.min(Math.max(lo, 0), bound);
            hi = Math.min(Math.max(hi, 0), bound);
          }
          out[o + a] = lo;
          out[o + 2 + a] = hi;
          if (grad != null) {
            double uLo = loPasses ? upstream[o + a] : 0;
            double uHi = hiPasses ? upstream[o + 2 + a] : 0;
            double dCentre = uLo + uHi;
            double dSizeOut = 0.5 * (uHi - uLo);
            grad[o + a] = shiftPasses ? s[a] * ps[a] * dCentre : 0;
            grad[o + 2 + a] = sizePasses ? s[2 + a] * dSizeOut * size : 0;
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return "DeltaXYWHBBoxCoder(target_means=" + Arrays.toString(params.targetMeans().toArray()) + ", target_stds="
        + Arrays.toString(params.targetStds().toArray()) + ", clip_border=" + (params.clipBorder() ? "True" : "False")
        + ", add_ctr_clamp=" + (params.addCtrClamp() ? "True" : "False") + ", ctr_clamp=" + params.ctrClamp() + ")";
  }
}
