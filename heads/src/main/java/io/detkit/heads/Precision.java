package io.detkit.heads;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Rounds intermediate values to the precision of the head outputs. A float32 run rounds after every
 * arithmetic step, which reproduces PyTorch's float32 results exactly for +, -, *, / and sqrt (a
 * double result rounded to float is the correctly rounded float result); a float64 run keeps
 * doubles.
 *
 * <p>A custom head computes its own targets or loss terms on {@code double}s and rounds each step
 * with {@link #r}: {@code Precision p = Precision.of(outputs' dtype); double c = p.r(p.r(a + b) / 2);}
 * so that a float32 run rounds where PyTorch's float32 would. Immutable and thread-safe.
 */
public final class Precision {
  /** The float32 working precision. */
  public static final Precision FLOAT32 = new Precision(true);
  /** The float64 working precision. */
  public static final Precision FLOAT64 = new Precision(false);

  private final boolean single;

  private Precision(boolean single) {
    this.single = single;
  }

  /** float64 for {@code DOUBLE}, float32 for every other type (FLOAT, HALF, ...). */
  public static Precision of(DataType type) {
    return type == DataType.DOUBLE ? FLOAT64 : FLOAT32;
  }

  /** {@code v} rounded to the working precision. */
  public double r(double v) {
    return single ? (float) v : v;
  }

  /** Whether values are rounded to float32. */
  public boolean isSingle() {
    return single;
  }

  /** {@code sigmoid(x)} in this precision. */
  public double sigmoid(double x) {
    return r(1.0 / (1.0 + Math.exp(-x)));
  }

  /** The values narrowed to float32 when single, as they are otherwise. */
  public double[] round(double[] values) {
    if (!single) {
      return values;
    }
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
