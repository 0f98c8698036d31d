package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TorchStatsTest {
  private static final double BIG = 1e8;

  @Test
  void singleColumnIsSummedInVectorLanesAfterTheTail() {
    // 9 rows, 1 column: lanes x0..x7, tail x8 first: ((x8 + x0) + x1) ... + x7 in float32.
    double[] col = {3, 3, 3, 3, 3, 3, 3, 3, BIG};
    // Adding 3 to 1e8 rounds back to 1e8 each time; a plain left-to-right sum would give 1e8 + 24.
    assertThat(new TorchStats(true).columnSum(col, 9, 1, 0)).isEqualTo(BIG);
    assertThat(new TorchStats(false).columnSum(col, 9, 1, 0)).isEqualTo(BIG + 24);
  }

  @Test
  void leftoverColumnsUseTheInterleavedRowSumAndFullGroupsTheCascade() {
    // Column values 3, 1e8, -1e8, 0, 3 down five rows.
    double[] colValues = {3, BIG, -BIG, 0, 3};
    // [5,3]: every column is a leftover: (x0 + x4) + x1 + x2 + x3 = (6 + 1e8 -> 1e8+8) - 1e8 = 8.
    double[] m3 = new double[15];
    // [5,4]: one full group of four columns: left-to-right cascade: 3 + 1e8 -> 1e8, -1e8 -> 0, ... = 3.
    double[] m4 = new double[20];
    for (int r = 0; r < 5; r++) {
      m3[r * 3] = colValues[r];
      m4[r * 4] = colValues[r];
    }
    TorchStats f32 = new TorchStats(true);
    assertThat(f32.columnSum(m3, 5, 3, 0)).isEqualTo(8);
    assertThat(f32.columnSum(m4, 5, 4, 0)).isEqualTo(3);
    assertThat(f32.columnMean(m3, 5, 3, 0)).isEqualTo((double) (8f / 5f));
  }

  @Test
  void exactValuesAgreeOnEveryPath() {
    TorchStats f32 = new TorchStats(true);
    for (int cols : new int[] {1, 2, 3, 4, 5, 9, 33, 70}) {
      for (int rows : new int[] {1, 2, 7, 16, 17, 27, 45, 70}) {
        double[] m = new double[rows * cols];
        for (int i = 0; i < m.length; i++) {
          m[i] = (i * 7) % 13;
        }
        for (int c = 0; c < cols; c++) {
          double expected = 0;
          for (int r = 0; r < rows; r++) {
            expected += m[r * cols + c];
          }
          assertThat(f32.columnSum(m, rows, cols, c)).as("rows=%d cols=%d col=%d", rows, cols, c)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void standardDeviationIsUnbiasedAndNanForOneRow() {
    TorchStats s = new TorchStats(false);
    assertThat(s.columnStd(new double[] {1, 2, 3, 4}, 4, 1, 0)).isCloseTo(Math.sqrt(5.0 / 3),
        org.assertj.core.data.Offset.offset(1e-15));
    assertThat(s.columnStd(new double[] {0.5}, 1, 1, 0)).isNaN();
    assertThat(new TorchStats(true).columnStd(new double[] {0.25, 0.25, 0.25}, 3, 1, 0)).isZero();
  }
}
