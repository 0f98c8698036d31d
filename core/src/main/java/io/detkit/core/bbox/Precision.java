package io.detkit.core.bbox;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The floating-point format a box computation emulates. Loops run on doubles and round every
 * intermediate result to the format: for +, -, * and / the double result rounded to float32 (or
 * float16) equals the result computed natively in that format, because double carries more than
 * twice the target's significand bits plus two, so the double rounding is innocuous.
 */
enum Precision {
  /** IEEE binary16, what MMDetection's {@code dtype='fp16'} iou calculator computes in. */
  F16,
  /** IEEE binary32. */
  F32,
  /** IEEE binary64; rounding is the identity. */
  F64;

  private static final double HALF_MAX_ROUNDED_TO_INF = 65520.0;
  private static final double HALF_MIN_NORMAL = 0x1p-14;
  private static final double HALF_SUBNORMAL_STEP = 0x1p-24;

  /** FLOAT or DOUBLE; other dtypes are rejected by the callers' argument checks first. */
  static Precision of(DataType type) {
    return type == DataType.DOUBLE ? F64 : F32;
  }

  /** The ND4J dtype results of this precision are returned in (float16 results come back as float32). */
  DataType dataType() {
    return this == F64 ? DataType.DOUBLE : DataType.FLOAT;
  }

  double round(double x) {
    switch (this) {
      case F32:
        return (float) x;
      case F16:
        return toHalf(x);
      default:
        return x;
    }
  }

  /** {@code x} rounded to the nearest binary16 value (ties to even), overflowing to infinity. */
  static double toHalf(double x) {
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
