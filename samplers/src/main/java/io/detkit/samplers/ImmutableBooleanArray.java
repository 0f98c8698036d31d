package io.detkit.samplers;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;

/**
 * An immutable array of booleans, the counterpart of Guava's {@code ImmutableIntArray} (which has
 * no boolean form): {@link SamplingResult#posIsGt()} is one, so that every array of a sampling
 * result is an immutable primitive value read in place. Immutable and thread-safe; equal when the
 * values are.
 */
public final class ImmutableBooleanArray {
  private static final ImmutableBooleanArray EMPTY = new ImmutableBooleanArray(new boolean[0]);

  private final boolean[] values;

  private ImmutableBooleanArray(boolean[] values) {
    this.values = values;
  }

  /**
   * An immutable copy of {@code values}.
   *
   * @throws IllegalArgumentException if {@code values} is null
   */
  public static ImmutableBooleanArray copyOf(boolean[] values) {
    Tensors.requireNonNull(values, "values");
    return values.length == 0 ? EMPTY : new ImmutableBooleanArray(values.clone());
  }

  /** The array of {@code values}, copied. */
  public static ImmutableBooleanArray of(boolean... values) {
    return copyOf(values);
  }

  /** How many values there are. */
  public int length() {
    return values.length;
  }

  /**
   * The value at {@code index}.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= index < length()}
   */
  public boolean get(int index) {
    return values[index];
  }

  /** A new mutable copy of the values. */
  public boolean[] toArray() {
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImmutableBooleanArray other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  /** {@code [true, false, ...]}, as {@link Arrays#toString(boolean[])} writes it. */
  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
