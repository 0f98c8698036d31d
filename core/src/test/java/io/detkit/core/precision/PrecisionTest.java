package io.detkit.core.precision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrecisionTest {
  @Test
  void halfRoundingHitsKnownBinary16Values() {
    assertThat(Precision.toHalf(1.0)).isEqualTo(1.0);
    assertThat(Precision.toHalf(0.1)).isEqualTo(0.0999755859375);
    assertThat(Precision.toHalf(1e-6)).isEqualTo(17 * 0x1p-24);
    assertThat(Precision.toHalf(-2049.0)).isEqualTo(-2048.0);
    assertThat(Precision.toHalf(2051.0)).isEqualTo(2052.0);
    assertThat(Precision.toHalf(65504.0)).isEqualTo(65504.0);
    assertThat(Precision.toHalf(65519.0)).isEqualTo(65504.0);
    assertThat(Precision.toHalf(65520.0)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Precision.toHalf(1e-8)).isEqualTo(0.0);
    assertThat(Precision.toHalf(0x1p-25)).isEqualTo(0.0);
    assertThat(Precision.toHalf(3 * 0x1p-25)).isEqualTo(2 * 0x1p-24);
  }

  @Test
  void float32RoundingIsAFloatCast() {
    assertThat(Precision.F32.round(0.1)).isEqualTo((double) 0.1f);
    assertThat(Precision.F64.round(0.1)).isEqualTo(0.1);
  }
}
