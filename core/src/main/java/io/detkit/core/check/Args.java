package io.detkit.core.check;

import com.google.common.base.Preconditions;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks of scalar arguments (hyper-parameters, indices) shared by every module, so that the same
 * mistake gets the same message everywhere: {@code <name> must be <expectation>; got <value>}.
 * Values are printed as Java prints doubles ({@code 1.0E308}), never as an overflowed result.
 *
 * <p>Stateless; every method may be called from any thread.
 */
public final class Args {
  private Args() {}

  /** @throws IllegalArgumentException {@code <name> must be finite; got NaN} */
  public static double finite(String name, double v) {
    Preconditions.checkArgument(Double.isFinite(v), "%s must be finite; got %s", name, v);
    return v;
  }

  /**
   * For a threshold where an infinity means "never" or "always" but NaN would compare false
   * everywhere and silently disable it.
   *
   * @throws IllegalArgumentException {@code <name> must be a number; got NaN}
   */
  public static double notNaN(String name, double v) {
    Preconditions.checkArgument(!Double.isNaN(v), "%s must be a number; got NaN", name);
    return v;
  }

  /** @throws IllegalArgumentException unless {@code v} is finite and {@code > 0} */
  public static double positive(String name, double v) {
    Preconditions.checkArgument(v > 0 && v != Double.POSITIVE_INFINITY, "%s must be a finite number > 0; got %s",
        name, v);
    return v;
  }

  /** @throws IllegalArgumentException unless {@code v} is finite and {@code >= 0} */
  public static double nonNegative(String name, double v) {
    Preconditions.checkArgument(v >= 0 && v != Double.POSITIVE_INFINITY, "%s must be a finite number >= 0; got %s",
        name, v);
    return v;
  }

  /** @throws IllegalArgumentException unless {@code lo <= v <= hi} (NaN fails) */
  public static double inRange(String name, double v, double lo, double hi) {
    Preconditions.checkArgument(v >= lo && v <= hi, "%s must be in [%s, %s]; got %s", name, lo, hi, v);
    return v;
  }

  /**
   * Requires a value that stays finite and {@code > 0} when rounded to float32, for parameters that
   * detkit, like MMDetection, computes with in float32 (anchor ratios, scales, strides): {@code 1e-300}
   * rounds to 0 and {@code 1e39} to infinity, finite doubles that would make non-finite priors.
   *
   * @return {@code v}
   * @throws IllegalArgumentException {@code ratios[0] must be positive and representable in float32
   *     (1.4E-45 to 3.4028235E38); got 1.0E-300}
   */
  public static double positiveFloat32(String name, double v) {
    Preconditions.checkArgument(isPositiveFloat32(v),
        "%s must be positive and representable in float32 (%s to %s); got %s", name, Float.MIN_VALUE,
        Float.MAX_VALUE, v);
    return v;
  }

  /** Whether {@code v > 0} stays finite and {@code > 0} when rounded to float32. */
  public static boolean isPositiveFloat32(double v) {
    float f = (float) v;
    return v > 0 && f > 0 && Float.isFinite(f);
  }

  /**
   * An int64 label or index narrowed to int.
   *
   * @throws IllegalArgumentException {@code gt_labels element 2 must fit an int (int64 ids beyond
   *     2147483647 are not supported); got 4294967296}
   */
  public static int intIndex(String name, long index, long v) {
    if (v != (int) v) {
      throw new IllegalArgumentException(name + " element " + index + " must fit an int (int64 ids beyond +/-"
          + Integer.MAX_VALUE + " are not supported); got " + v);
    }
    return (int) v;
  }

  /**
   * Runs {@code check} and re-raises its argument error in the caller's terms: an error already of
   * type {@code named} (one that already names what is wrong in those terms) passes unchanged, any
   * other {@link IllegalArgumentException} becomes {@code rename.apply(e)}. Used where a value is
   * checked deep down (a record constructor, a factory) and the failure must name the parameter or
   * config path it came from.
   */
  public static <T> T renamed(Supplier<T> check, Class<? extends IllegalArgumentException> named,
      Function<IllegalArgumentException, ? extends RuntimeException> rename) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw named.isInstance(e) ? e : rename.apply(e);
    }
  }
}
