package io.detkit.core.precision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

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

  @Test
  void theFlagFormAndTheInstanceFormRoundAlike() {
    assertThat(Precision.round(0.1, true)).isEqualTo(Precision.of(true).round(0.1));
    assertThat(Precision.round(0.1, false)).isEqualTo(0.1);
    assertThat(Precision.of(DataType.FLOAT)).isEqualTo(Precision.F32);
    assertThat(Precision.of(DataType.DOUBLE)).isEqualTo(Precision.F64);
    assertThat(Precision.F16.isSingle()).isTrue();
    assertThat(Precision.F64.isSingle()).isFalse();
    assertThat(Precision.F16.dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void sigmoidRoundsOnceAfterTheDoubleComputation() {
    double x = 0.3;
    assertThat(Precision.F32.sigmoid(x)).isEqualTo((double) (float) (1.0 / (1.0 + Math.exp(-x))));
    assertThat(Precision.F64.sigmoid(-800)).isEqualTo(0.0);
  }
}
