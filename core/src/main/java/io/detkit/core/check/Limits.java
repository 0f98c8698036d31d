package io.detkit.core.check;

import com.google.common.base.Preconditions;

/**
 * detkit's bounds on the counts that size an allocation or a loop. A value past a bound is an
 * {@link IllegalArgumentException} naming the argument, the bound's name here and the value, raised
 * before anything is allocated: never an {@link OutOfMemoryError}, a
 * {@link java.nio.BufferOverflowException}, a {@link NegativeArraySizeException}, an
 * {@link ArithmeticException} from an overflowing product, or minutes of looping. Every product of
 * counts is formed with {@link Math#multiplyExact(long, long)}, so it cannot wrap to a small number
 * first. The values and the reasons are tabulated in {@code docs/reliability.md} ("Limits").
 *
 * <p>Stateless; every method may be called from any thread.
 */
public final class Limits {
  /**
   * The most bytes one off-heap buffer may hold: detkit reads and writes ND4J buffers through a
   * single NIO view, whose capacity is an {@code int} number of bytes.
   */
  public static final long MAX_BUFFER_BYTES = Integer.MAX_VALUE;

  /** The most elements one Java array may hold (the JVM's own limit, with its usual headroom). */
  public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  /**
   * The most histogram bins ({@code IoUBalancedNegSampler num_bins}, {@code GHMC}/{@code GHMR}
   * {@code bins}): each bin costs a pass over the candidates or its own counters, and MMDetection's
   * configs use 3 to 30.
   */
  public static final int MAX_BINS = 1024;

  /**
   * The most entries of a prior generator's per-cell parameter lists ({@code ratios},
   * {@code scales}, {@code scales_per_octave}, {@code min_sizes}...): MMDetection's configs use up
   * to a dozen.
   */
  public static final int MAX_PRIOR_PARAMS = 1024;

  /** The most base priors (anchors) per feature-map cell, the product of ratios and scales. */
  public static final int MAX_BASE_PRIORS = 4096;

  /**
   * The most priors of one feature level (cells times base priors): 2^24, 16.7 million, over a
   * hundred times COCO's largest level (100 x 168 cells x 9 anchors); its float32 boxes take 256 MiB.
   */
  public static final int MAX_LEVEL_PRIORS = 1 << 24;

  private Limits() {}

  /**
   * Requires {@code min <= value <= max}.
   *
   * @param name the argument, as the user spells it ({@code num_bins})
   * @param limitName the bound's constant ({@code Limits.MAX_BINS}), named in the message
   * @return {@code value} as an int
   * @throws IllegalArgumentException {@code num_bins must be in [1, 1024] (Limits.MAX_BINS); got 2147483647}
   */
  public static int requireCount(String name, long value, int min, int max, String limitName) {
    Preconditions.checkArgument(value >= min && value <= max, "%s must be in [%s, %s] (%s); got %s", name, min,
        max, limitName, value);
    return (int) value;
  }

  /**
   * The product of {@code factors}, the element count of an allocation, required to be at most
   * {@code max}; formed exactly, so a product past {@code Long.MAX_VALUE} is reported too.
   *
   * @param what what is being sized, for the message ({@code "ATSS candidate overlaps (gts x candidates)"})
   * @param factors non-negative counts
   * @return the product as an int
   * @throws IllegalArgumentException {@code <what> needs 10000 x 300000 = 3000000000 elements, more than
   *     <limitName> = <max>}
   */
  public static int product(String what, int max, String limitName, long... factors) {
    long p = 1;
    boolean overflow = false;
    for (long f : factors) {
      Preconditions.checkArgument(f >= 0, "%s: a count must be >= 0; got %s", what, f);
      try {
        p = Math.multiplyExact(p, f);
      } catch (ArithmeticException e) {
        overflow = true;
      }
    }
    if (overflow || p > max) {
      StringBuilder sb = new StringBuilder();
      for (long f : factors) {
        sb.append(sb.length() == 0 ? "" : " x ").append(f);
      }
      throw new IllegalArgumentException(what + " needs " + sb + (overflow ? " (beyond 2^63)" : " = " + p)
          + " elements, more than " + limitName + " = " + max);
    }
    return (int) p;
  }

  /** {@link #product} bounded by {@link #MAX_ARRAY_LENGTH}. */
  public static int arrayLength(String what, long... factors) {
    return product(what, MAX_ARRAY_LENGTH, "Limits.MAX_ARRAY_LENGTH", factors);
  }

  /**
   * Requires {@code elements} values of {@code bytesPerElement} bytes each to fit one buffer:
   * {@code elements * bytesPerElement <= MAX_BUFFER_BYTES} (counting bytes, not elements).
   *
   * @throws IllegalArgumentException {@code <what> needs 1000000000 FLOAT values = 4000000000 bytes,
   *     more than Limits.MAX_BUFFER_BYTES = 2147483647}
   */
  public static void requireBufferBytes(String what, long elements, int bytesPerElement, String typeName) {
    Preconditions.checkArgument(elements >= 0, "%s: an element count must be >= 0; got %s", what, elements);
    long bytes = elements > MAX_BUFFER_BYTES ? Long.MAX_VALUE : elements * bytesPerElement;
    if (bytes > MAX_BUFFER_BYTES) {
      throw new IllegalArgumentException(what + " needs " + elements + " " + typeName + " values = "
          + (bytes == Long.MAX_VALUE ? "more than " + MAX_BUFFER_BYTES : Long.toString(bytes))
          + " bytes, more than Limits.MAX_BUFFER_BYTES = " + MAX_BUFFER_BYTES + " (one buffer)");
    }
  }
}
