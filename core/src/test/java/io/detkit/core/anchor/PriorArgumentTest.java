package io.detkit.core.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Null and out-of-range arguments of the prior generators and their builders are named. */
class PriorArgumentTest {
  @Test
  void nullArgumentsAreRejectedNamingTheParameter() {
    assertThatThrownBy(() -> Stride.squares((double[]) null)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("strides must not be null");
    assertThatThrownBy(() -> AnchorGenerator.Params.of(null, new double[] {1}, new double[] {8}))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("strides must list at least one level; got none");
    assertThatThrownBy(() -> AnchorGenerator.Params.of(Stride.squares(8), null, new double[] {8}))
        .hasMessage("ratios must list at least one positive number; got none");
    assertThatThrownBy(() -> AnchorGenerator.Params.of(Stride.squares(8), new double[] {1}, null))
        .hasMessage("either scales or octave_base_scale with scales_per_octave must be set");
    assertThatThrownBy(() -> SSDAnchorGenerator.Params.of(Stride.squares(8), List.of(new double[] {2}), null,
        new double[] {45})).hasMessage("min_sizes and max_sizes must be given together; got only max_sizes");
    assertThatThrownBy(() -> SSDAnchorGenerator.Params.of(Stride.squares(8), null))
        .hasMessage("ratios must have one list per level (1 strides); got none");
    assertThatThrownBy(() -> MlvlPointGenerator.of((double[]) null)).hasMessage("strides must not be null");
  }

  @Test
  void aNullCentreIsReportedWithItsLevel() {
    AnchorGenerator.Params p = AnchorGenerator.Params.of(Stride.squares(8, 16), new double[] {1}, new double[] {8});
    assertThatThrownBy(() -> p.withCenters(Arrays.asList(new double[] {0, 0}, null)))
        .hasMessage("centers[1] must be a finite (x, y); got null");
  }

  @Test
  void emptyOrNullStrideListsAreNamedTheSameWayByEveryBuilder() {
    assertThatThrownBy(() -> new AnchorGenerator(new AnchorGenerator.Params(null, new double[] {1},
        new double[] {8}, null, true, null, null, null, 0)))
        .hasMessage("strides must list at least one level; got none");
    assertThatThrownBy(() -> new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(List.of(), null)))
        .hasMessage("strides must list at least one level; got []");
    assertThatThrownBy(() -> new MlvlPointGenerator(Arrays.asList(Stride.of(8), null), 0.5))
        .hasMessage("strides[1] must not be null");
  }

  @Test
  void levelsAndDtypesAreChecked() {
    MlvlPointGenerator g = MlvlPointGenerator.of(8, 16);
    assertThatThrownBy(() -> g.gridPriorsFlat(2, 1, 1)).hasMessage("level must be in [0, 2); got 2");
    assertThatThrownBy(() -> g.singleLevelGridPriors(0, 2, 2, DataType.INT32))
        .hasMessage("dtype must be a floating-point type; got INT");
    assertThatThrownBy(() -> g.gridPriors(null, DataType.FLOAT)).hasMessage("featmap_sizes must not be null");
    assertThat(g.gridPriorsFlat(1, 1, 1)).containsExactly(8f, 8f);
  }
}
