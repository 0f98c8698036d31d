package io.detkit.core.anchor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class MlvlPointGeneratorTest {
  @Test
  void pointsSitAtCellCentresRowMajor() {
    MlvlPointGenerator gen = MlvlPointGenerator.of(8, 16);
    assertThat(gen.gridPriorsFlat(0, 2, 3)).containsExactly(4f, 4f, 12f, 4f, 20f, 4f, 4f, 12f, 12f, 12f, 20f, 12f);
    assertThat(gen.numBasePriors()).containsExactly(1, 1);
    assertThat(gen.priorDim()).isEqualTo(2);
  }

  @Test
  void withStrideAppendsTheLevelStrides() {
    MlvlPointGenerator gen = new MlvlPointGenerator(List.of(Stride.of(8, 4)), 0.0);
    List<INDArray> grid = gen.gridPriors(List.of(new int[] {2, 1}), DataType.DOUBLE, true);
    assertThat(grid.get(0).shape()).containsExactly(2, 4);
    assertThat(grid.get(0).dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(grid.get(0).reshape(8).toDoubleVector()).containsExactly(0, 0, 8, 4, 0, 4, 8, 4);
  }

  @Test
  void validFlagsHaveOneEntryPerCell() {
    MlvlPointGenerator gen = MlvlPointGenerator.of(16);
    boolean[] f = gen.singleLevelValidFlags(0, 2, 3, new int[] {20, 30});
    assertThat(f).containsExactly(true, true, false, true, true, false);
  }

  @Test
  void sparsePointsMatchTheGrid() {
    MlvlPointGenerator gen = MlvlPointGenerator.of(8, 32);
    float[] grid = gen.gridPriorsFlat(1, 3, 4);
    INDArray sparse = gen.sparsePriors(1, new long[] {0, 5, 11, 13}, new int[] {3, 4}, DataType.FLOAT);
    float[] s = sparse.reshape(8).toFloatVector();
    int[] rows = {0, 5, 11, 1};
    for (int i = 0; i < rows.length; i++) {
      assertThat(s[2 * i]).isEqualTo(grid[2 * rows[i]]);
      assertThat(s[2 * i + 1]).isEqualTo(grid[2 * rows[i] + 1]);
    }
  }
}
