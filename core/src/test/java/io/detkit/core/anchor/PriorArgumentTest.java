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
  void builderSettersRejectNullNamingTheParameter() {
    AnchorGenerator.Builder b = AnchorGenerator.builder();
    assertThatThrownBy(() -> b.strides((double[]) null)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("strides must not be null");
    assertThatThrownBy(() -> b.strides((List<Stride>) null)).hasMessage("strides must not be null");
    assertThatThrownBy(() -> b.ratios(null)).hasMessage("ratios must not be null");
    assertThatThrownBy(() -> b.scales(null)).hasMessage("scales must not be null");
    assertThatThrownBy(() -> b.baseSizes(null)).hasMessage("base_sizes must not be null");
    assertThatThrownBy(() -> b.centers(null)).hasMessage("centers must not be null");
    SSDAnchorGenerator.Builder ssd = SSDAnchorGenerator.ssdBuilder();
    assertThatThrownBy(() -> ssd.minSizes(null)).hasMessage("min_sizes must not be null");
    assertThatThrownBy(() -> ssd.ratios(null)).hasMessage("ratios must not be null");
    assertThatThrownBy(() -> MlvlPointGenerator.of((double[]) null)).hasMessage("strides must not be null");
  }

  @Test
  void aNullCentreIsReportedWithItsLevelAtBuild() {
    AnchorGenerator.Builder b = AnchorGenerator.builder().strides(8, 16).ratios(1).scales(8)
        .centers(Arrays.asList(new double[] {0, 0}, null));
    assertThatThrownBy(b::build).hasMessage("centers[1] must be a finite (x, y); got null");
  }

  @Test
  void emptyOrNullStrideListsAreNamedTheSameWayByEveryBuilder() {
    assertThatThrownBy(() -> AnchorGenerator.builder().ratios(1).scales(8).build())
        .hasMessage("strides must list at least one level; got none");
    assertThatThrownBy(() -> SSDAnchorGenerator.ssdBuilder().strides(List.of()).build())
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
