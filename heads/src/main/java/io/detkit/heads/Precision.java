package io.detkit.heads;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Rounds intermediate values to the precision of the head outputs. A float32 run rounds after every
 * arithmetic step, which reproduces PyTorch's float32 results exactly for +, -, *, / and sqrt (a
 * double result rounded to float is the correctly rounded float result); a float64 run keeps
 * doubles.
 */
final class Precision {
  private final boolean single;

  private Precision(boolean single) {
    this.single = single;
  }

  static Precision of(DataType type) {
    return new Precision(type != DataType.DOUBLE);
  }

  /** {@code v} rounded to the working precision. */
  double r(double v) {
    return single ? (float) v : v;
  }

  boolean isSingle() {
    return single;
  }
}
