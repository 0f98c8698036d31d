package io.detkit.core.precision;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The floating-point format a computation emulates while it runs on {@code double}s: every module
 * rounds its intermediate results through this type so that a float32 run reproduces PyTorch's
 * float32 numbers bit for bit.
 *
 * <p>Why rounding a double result is enough: for +, -, *, / and sqrt, the double result rounded to
 * float32 (or float16) equals the result computed natively in that format, because double carries
 * more than twice the target's significand bits plus two, so the double rounding is innocuous.
 * Kernels therefore compute on doubles and wrap each step: {@code p.round(p.round(a + b) / 2)}
 * rounds where PyTorch's float32 would. Functions PyTorch evaluates as one fused kernel (its
 * {@code sigmoid}) round once, see {@link #sigmoid}; where the golden cases show PyTorch rounding
 * after each elementary step, callers round each step themselves.
 *
 * <p>Kernels that carry a {@code boolean f32} flag instead of an instance round with the static
 * {@link #round(double, boolean)}. Immutable and thread-safe.
 */
public enum Precision {
  /** IEEE binary16, what MMDetection's {@code dtype='fp16'} iou calculator computes in. */
  F16,
  /** IEEE binary32, PyTorch's default. */
  F32,
  /** IEEE binary64; rounding is the identity. */
  F64;

  private static final double HALF_MAX_ROUNDED_TO_INF = 65520.0;
  private static final double HALF_MIN_NORMAL = 0x1p-14;
  private static final double HALF_SUBNORMAL_STEP = 0x1p-24;

  /**
   * {@link #F64} for {@code DOUBLE}, {@link #F32} for every other type: callers validate the dtype
   * first, and ND4J's narrower floating types are computed in float32 as PyTorch's CPU kernels do.
   */
  public static Precision of(DataType type) {
    return type == DataType.DOUBLE ? F64 : F32;
  }

  /** {@link #F32} when {@code single}, else {@link #F64}. */
  public static Precision of(boolean single) {
    return single ? F32 : F64;
  }

  /** The ND4J dtype results of this precision are returned in (float16 results come back as float32). */
  public DataType dataType() {
    return this == F64 ? DataType.DOUBLE : DataType.FLOAT;
  }

  /** Whether values are narrower than float64 (results then come back as float32 arrays). */
  public boolean isSingle() {
    return this != F64;
  }

  /** {@code x} rounded to this format. */
  public double round(double x) {
    switch (this) {
      case F32:
        return (float) x;
      case F16:
        return toHalf(x);
      default:
        return x;
    }
  }

  /**
   * {@code 1 / (1 + exp(-x))} evaluated in double and rounded once, as PyTorch's fused
   * {@code sigmoid} kernel gives it.
   */
  public double sigmoid(double x) {
    return round(1.0 / (1.0 + Math.exp(-x)));
  }

  /** {@code x} rounded to float32 when {@code f32}, else {@code x}: one float32 operation's result. */
  public static double round(double x, boolean f32) {
    return f32 ? (double) (float) x : x;
  }

  /** {@code x} rounded to the nearest binary16 value (ties to even), overflowing to infinity. */
  public static double toHalf(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) {
      return x;
    }
    double a = Math.abs(x);
    if (a >= HALF_MAX_ROUNDED_TO_INF) {
      return Math.copySign(Double.POSITIVE_INFINITY, x);
    }
    // The spacing of binary16 values around a: fixed below the smallest normal, 2^(e-10) above it.
    double step = a < HALF_MIN_NORMAL ? HALF_SUBNORMAL_STEP : Math.scalb(1.0, Math.getExponent(a) - 10);
    // a / step and the product back are exact (powers of two); rint breaks ties to even.
    return Math.copySign(Math.rint(a / step) * step, x);
  }
}
