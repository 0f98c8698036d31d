package io.detkit.core.anchor;

import io.detkit.core.check.Args;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * The stride of one feature level in input pixels, {@code (w, h)} in MMDetection's order. A plain
 * number {@code s} in a config means {@code (s, s)}.
 *
 * @param w horizontal stride, finite and &gt; 0
 * @param h vertical stride, finite and &gt; 0
 */
public record Stride(double w, double h) {
  /**
   * @throws IllegalArgumentException if either component is not a positive number that stays
   *     finite and positive in float32, where priors are computed (1e300 would shift them to infinity)
   */
  public Stride {
    if (!Args.isPositiveFloat32(w) || !Args.isPositiveFloat32(h)) {
      throw new IllegalArgumentException("stride must be positive and finite in both directions, and within"
          + " float32's range (" + Float.MIN_VALUE + " to " + Float.MAX_VALUE + "); got (" + w + ", " + h + ")");
    }
  }


  /** The square stride {@code (s, s)}. */
  public static Stride of(double s) {
    return new Stride(s, s);
  }

  /** The stride {@code (w, h)}. */
  public static Stride of(double w, double h) {
    return new Stride(w, h);
  }

  /**
   * Square strides, one per level ({@code Stride.squares(8, 16, 32)}).
   *
   * @throws IllegalArgumentException if {@code strides} is null or a value is not finite and &gt; 0
   */
  public static List<Stride> squares(double... strides) {
    Tensors.requireNonNull(strides, "strides");
    List<Stride> list = new ArrayList<>(strides.length);
    for (double s : strides) {
      list.add(of(s));
    }
    return list;
  }

  /** The shorter side, MMDetection's default base size for the level. */
  public double min() {
    return Math.min(w, h);
  }

  /** Python-like rendering: {@code (8, 8)} for integral strides. */
  @Override
  public String toString() {
    return "(" + num(w) + ", " + num(h) + ")";
  }

  static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
