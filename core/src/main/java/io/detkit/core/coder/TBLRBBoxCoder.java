package io.detkit.core.coder;

import static io.detkit.core.precision.Precision.round;

import com.google.common.primitives.ImmutableDoubleArray;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;

/**
 * MMDetection 2.x's {@code TBLRBBoxCoder} (FSAF): a box {@code (x1, y1, x2, y2)} is encoded as the
 * distances {@code (top, bottom, left, right)} from the prior's centre to its sides, top and bottom
 * divided by the prior's height, left and right by its width, and all divided by {@code
 * normalizer}: one float, or four values applied to {@code (top, bottom, left, right)}.
 *
 * <p>Decoding inverts this; with {@code clip_border} and a {@code max_shape} the boxes are clamped
 * to the image ({@code torch.where}, so the gradient is zero where a value was clamped).
 *
 * <p>Config keys ({@code type='TBLRBBoxCoder'}): {@code normalizer} (default 4.0), {@code
 * clip_border} (True). As in MMDetection, whose code tests {@code isinstance(normalizer, float)} and
 * then fails on an int, an int normalizer such as {@code 4} is rejected: write {@code 4.0}. A
 * sequence normalizer becomes a float32 tensor in MMDetection, so its values are rounded to float32
 * in both precisions. Immutable and thread-safe.
 */
public final class TBLRBBoxCoder extends BaseBBoxCoder {
  /**
   * The coder's parameters, validated once here.
   *
   * @param normalizer the 4 finite non-zero normalizers of {@code (top, bottom, left, right)};
   *     per-side values are stored rounded to float32 (MMDetection makes them a float32 tensor)
   * @param perSideNormalizer whether the normalizer was given per side (a sequence) rather than as
   *     one float, which torch keeps in double precision
   * @param clipBorder whether decoding clamps boxes to {@code max_shape}
   * @throws IllegalArgumentException unless there are 4 finite non-zero normalizers, all equal when
   *     not per side
   */
  public record Params(ImmutableDoubleArray normalizer, boolean perSideNormalizer, boolean clipBorder) {
    /**
     * Checked by hand, not by a component rule ({@code ParamChecks}): the normalizer's rule depends
     * on {@code perSideNormalizer} (four values, or one repeated).
     */
    public Params {
      Tensors.requireNonNull(normalizer, "normalizer");
      if (normalizer.length() != 4) {
        throw new IllegalArgumentException("normalizer must have length 4 (top, bottom, left, right); got "
            + normalizer.length());
      }
      double[] v = normalizer.toArray();
      for (int i = 0; i < 4; i++) {
        if (!Double.isFinite(v[i]) || v[i] == 0) {
          throw new IllegalArgumentException("normalizer" + (perSideNormalizer ? "[" + i + "]" : "")
              + " must be finite and non-zero; got " + v[i]);
        }
        if (perSideNormalizer) {
          v[i] = (float) v[i];
        } else if (v[i] != v[0]) {
          throw new IllegalArgumentException("a single normalizer must repeat one value; got " + normalizer);
        }
      }
      normalizer = ImmutableDoubleArray.copyOf(v);
    }

    /** One normalizer for all four distances. */
    public static Params uniform(double normalizer, boolean clipBorder) {
      return new Params(ImmutableDoubleArray.of(normalizer, normalizer, normalizer, normalizer), false, clipBorder);
    }

    /** One normalizer per distance {@code (top, bottom, left, right)}. */
    public static Params perSide(double[] normalizer, boolean clipBorder) {
      return new Params(ImmutableDoubleArray.copyOf(Tensors.requireNonNull(normalizer, "normalizer")), true,
          clipBorder);
    }
  }

  private final Params params;

  /** The coder with {@code params}. */
  public TBLRBBoxCoder(Params params) {
    super(4, false);
    this.params = Tensors.requireNonNull(params, "params");
  }

  /**
   * One normalizer for all four distances.
   *
   * @throws IllegalArgumentException if {@code normalizer} is zero or not finite
   */
  public TBLRBBoxCoder(double normalizer, boolean clipBorder) {
    this(Params.uniform(normalizer, clipBorder));
  }

  /**
   * One normalizer per distance {@code (top, bottom, left, right)}.
   *
   * @throws IllegalArgumentException unless there are 4 finite non-zero values
   */
  public TBLRBBoxCoder(double[] normalizer, boolean clipBorder) {
    this(Params.perSide(normalizer, clipBorder));
  }

  /** MMDetection's defaults: normalizer 4.0, clip_border on. */
  public TBLRBBoxCoder() {
    this(4.0, true);
  }

  /**
   * Builds from an MMDetection config dict, as {@link io.detkit.core.CoreRegistries#BBOX_CODERS} does for
   * type {@code TBLRBBoxCoder} (the {@code type} key is not checked here).
   *
   * @throws io.detkit.core.config.ConfigException naming the key for a missing, unknown-typed or
   *     invalid parameter
   */
  public static TBLRBBoxCoder fromConfig(Config c) {
    boolean clip = c.getBoolean("clip_border", true);
    Object n = c.has("normalizer") ? c.get("normalizer") : 4.0;
    try {
      if (n instanceof Double d) {
        return new TBLRBBoxCoder(d, clip);
      }
      if (n instanceof List<?> list && list.size() == 4
          && list.stream().allMatch(v -> v instanceof Long || v instanceof Double)) {
        return new TBLRBBoxCoder(list.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray(), clip);
      }
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf("normalizer"), e.getMessage());
    }
    String hint = n instanceof Long ? "; an int is rejected as in MMDetection, write " + n + ".0" : "";
    throw ConfigException.at(c.pathOf("normalizer"),
        "expected a float or a sequence of 4 numbers (top, bottom, left, right), got " + Config.describe(n) + hint);
  }

  /** The parameters (immutable). */
  public Params params() {
    return params;
  }

  private double norm(int j, boolean f) {
    double v = params.normalizer().get(j);
    return params.perSideNormalizer() ? v : round(v, f);
  }

  /** A prior's centre and size. */
  private record Frame(double cx, double cy, double w, double h) {}

  /** The prior at {@code o}, each step rounded as torch would. */
  private static Frame frame(double[] priors, int o, boolean f) {
    return new Frame(round(round(priors[o] + priors[o + 2], f) / 2, f),
        round(round(priors[o + 1] + priors[o + 3], f) / 2, f), round(priors[o + 2] - priors[o], f),
        round(priors[o + 3] - priors[o + 1], f));
  }

  @Override
  void encodeKernel(double[] priors, double[] gt, boolean f, double[] out) {
    int n = priors.length / 4;
    for (int i = 0; i < n; i++) {
      int o = 4 * i;
      Frame p = frame(priors, o, f);
      double top = round(round(p.cy() - gt[o + 1], f) / p.h(), f);
      double bottom = round(round(gt[o + 3] - p.cy(), f) / p.h(), f);
      double left = round(round(p.cx() - gt[o], f) / p.w(), f);
      double right = round(round(gt[o + 2] - p.cx(), f) / p.w(), f);
      out[o] = round(top / norm(0, f), f);
      out[o + 1] = round(bottom / norm(1, f), f);
      out[o + 2] = round(left / norm(2, f), f);
      out[o + 3] = round(right / norm(3, f), f);
    }
  }

  @Override
  void decodeKernel(double[] priors, double[] pred, int[] maxShape, boolean f, double[] out, double[] upstream,
      double[] grad) {
    int n = priors.length / 4;
    ClipBounds bounds = ClipBounds.of(params.clipBorder(), maxShape, f);
    for (int i = 0; i < n; i++) {
      int o = 4 * i;
      Frame p = frame(priors, o, f);
      double top = round(p.h() * round(pred[o] * norm(0, f), f), f);
      double bottom = round(p.h() * round(pred[o + 1] * norm(1, f), f), f);
      double left = round(p.w() * round(pred[o + 2] * norm(2, f), f), f);
      double right = round(p.w() * round(pred[o + 3] * norm(3, f), f), f);
      double[] box = {round(p.cx() - left, f), round(p.cy() - top, f), round(p.cx() + right, f),
          round(p.cy() + bottom, f)};
      boolean[] passes = new boolean[4];
      for (int j = 0; j < 4; j++) {
        passes[j] = bounds.where(box, j);
      }
      System.arraycopy(box, 0, out, o, 4);
      if (grad != null) {
        // top moves y1 down, bottom moves y2 up, left moves x1 left, right moves x2 right.
        grad[o] = passes[1] ? -upstream[o + 1] * p.h() * norm(0, f) : 0;
        grad[o + 1] = passes[3] ? upstream[o + 3] * p.h() * norm(1, f) : 0;
        grad[o + 2] = passes[0] ? -upstream[o] * p.w() * norm(2, f) : 0;
        grad[o + 3] = passes[2] ? upstream[o + 2] * p.w() * norm(3, f) : 0;
      }
    }
  }

  @Override
  public String toString() {
    double[] n = params.normalizer().toArray();
    return "TBLRBBoxCoder(normalizer=" + (params.perSideNormalizer() ? Arrays.toString(n) : String.valueOf(n[0]))
        + ", clip_border=" + (params.clipBorder() ? "True" : "False") + ")";
  }
}
