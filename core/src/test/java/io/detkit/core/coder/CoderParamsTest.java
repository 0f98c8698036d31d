package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.ImmutableDoubleArray;
import org.junit.jupiter.api.Test;

/** The coders' {@code Params} records: checked once, whichever way a coder is made. */
class CoderParamsTest {
  @Test
  void deltaParamsRejectTheSameValuesAsTheConstructor() {
    ImmutableDoubleArray ones = ImmutableDoubleArray.of(1, 1, 1, 1);
    assertThatThrownBy(() -> new DeltaXYWHBBoxCoder.Params(ImmutableDoubleArray.of(0, 0, 0), ones, true, false, 32))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target_means must have 4 values (x, y, w, h); got 3");
    assertThatThrownBy(() -> new DeltaXYWHBBoxCoder(new double[4], new double[] {1, 0, 1, 1}, true, false, 32))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target_stds[1] must be finite and non-zero");
    assertThat(new DeltaXYWHBBoxCoder().params()).isEqualTo(DeltaXYWHBBoxCoder.Params.defaults());
  }

  @Test
  void deltaParamsAreCopiedNotShared() {
    double[] stds = {0.1, 0.1, 0.2, 0.2};
    DeltaXYWHBBoxCoder coder = DeltaXYWHBBoxCoder.of(new double[4], stds);
    stds[0] = 5;
    assertThat(coder.params().targetStds().toArray()).containsExactly(0.1, 0.1, 0.2, 0.2);
  }

  @Test
  void tblrPerSideNormalizersAreFloat32AndAUniformOneIsKeptAsGiven() {
    TBLRBBoxCoder perSide = new TBLRBBoxCoder(new double[] {0.1, 0.2, 0.3, 0.4}, true);
    assertThat(perSide.params().normalizer().toArray()).containsExactly((float) 0.1, (float) 0.2, (float) 0.3,
        (float) 0.4);
    assertThat(new TBLRBBoxCoder(0.1, true).params().normalizer().get(3)).isEqualTo(0.1);
    assertThat(new TBLRBBoxCoder(0.1, true).params().perSideNormalizer()).isFalse();
  }

  @Test
  void tblrParamsRejectABadNormalizerNamingIt() {
    assertThatThrownBy(() -> new TBLRBBoxCoder(0.0, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("normalizer must be finite and non-zero; got 0.0");
    assertThatThrownBy(() -> new TBLRBBoxCoder(new double[] {1, 2, Double.NaN, 4}, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("normalizer[2] must be finite and non-zero; got NaN");
    assertThatThrownBy(() -> new TBLRBBoxCoder.Params(ImmutableDoubleArray.of(1, 2, 1, 1), false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a single normalizer must repeat one value");
    assertThatThrownBy(() -> new TBLRBBoxCoder(new double[] {1, 2, 3}, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("normalizer must have length 4");
  }
}
