package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.detkit.core.testing.RandomBoxes;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Priors prepared once give, assignment after assignment, the very result of assigning their array:
 * with and without ignore boxes, float32 and float64 gts, and assigners of different {@code topk}
 * sharing them.
 */
class ATSSPriorsTest {
  // Two levels of grid anchors (centres tie in distance, where torch's top-k order decides) plus
  // random ones, so that both of torch's top-k paths run.
  private static float[] priors(int[] levels) {
    int side0 = 40;
    int side1 = 20;
    levels[0] = side0 * side0;
    levels[1] = side1 * side1;
    levels[2] = 150;
    float[] out = new float[4 * (levels[0] + levels[1] + levels[2])];
    int p = 0;
    for (int[] grid : new int[][] {{side0, 8}, {side1, 16}}) {
      for (int y = 0; y < grid[0]; y++) {
        for (int x = 0; x < grid[0]; x++, p++) {
          float half = 4f * grid[1];
          out[4 * p] = (x + 0.5f) * grid[1] - half;
          out[4 * p + 1] = (y + 0.5f) * grid[1] - half;
          out[4 * p + 2] = (x + 0.5f) * grid[1] + half;
          out[4 * p + 3] = (y + 0.5f) * grid[1] + half;
        }
      }
    }
    System.arraycopy(RandomBoxes.floats(new Random(5), levels[2], 320, 320, 8, 120), 0, out, 4 * p, 4 * levels[2]);
    return out;
  }

  private static void assertSame(AssignResult expected, AssignResult actual) {
    assertThat(actual.gtInds()).containsExactly(expected.gtInds());
    assertThat(actual.maxOverlaps()).containsExactly(expected.maxOverlaps());
    assertThat(actual.labels()).isEqualTo(expected.labels());
  }

  @Test
  void preparedPriorsAssignAsTheirArrayDoes() {
    int[] levels = new int[3];
    INDArray bboxes = Tensors.create(priors(levels), DataType.FLOAT, levels[0] + levels[1] + levels[2], 4);
    ATSSPriors prepared = ATSSAssigner.prepare(bboxes, levels);
    Random rnd = new Random(17);
    for (int round = 0; round < 6; round++) {
      int k = 1 + rnd.nextInt(12);
      DataType gtType = round % 3 == 2 ? DataType.DOUBLE : DataType.FLOAT;
      INDArray gts = Tensors.create(RandomBoxes.doubles(rnd, k, 320, 320, 4, 150), gtType, k, 4);
      long[] labels = new long[k];
      for (int j = 0; j < k; j++) {
        labels[j] = rnd.nextInt(5);
      }
      INDArray gtLabels = Tensors.createLong(labels, k);
      INDArray ignore = round % 2 == 1 ? Tensors.create(RandomBoxes.floats(rnd, 2, 320, 320, 40, 100), DataType.FLOAT,
          2, 4) : null;
      for (ATSSAssigner assigner : new ATSSAssigner[] {
          new ATSSAssigner(ATSSAssigner.Params.of(9)), new ATSSAssigner(ATSSAssigner.Params.of(3).withIgnoreIofThr(0.3))}) {
        AssignResult expected = assigner.assign(bboxes, levels, gts, ignore, gtLabels);
        assertSame(expected, assigner.assign(prepared, gts, ignore, gtLabels));
        // Kept from call to call: the same again.
        assertSame(expected, assigner.assign(prepared, gts, ignore, gtLabels));
      }
    }
  }

  @Test
  void preparedPriorsWithoutGtsAssignEverythingNegative() {
    int[] levels = new int[3];
    INDArray bboxes = Tensors.create(priors(levels), DataType.FLOAT, levels[0] + levels[1] + levels[2], 4);
    ATSSAssigner assigner = new ATSSAssigner(ATSSAssigner.Params.of(9));
    INDArray none = Tensors.create(new double[0], DataType.FLOAT, 0, 4);

    assertSame(assigner.assign(bboxes, levels, none, null, null),
        assigner.assign(ATSSAssigner.prepare(bboxes, levels), none, null, null));
  }

  @Test
  void badPriorsAreRefusedWhenPrepared() {
    INDArray nan = Tensors.create(new double[] {0, 0, Double.NaN, 4}, DataType.FLOAT, 1, 4);
    assertThatThrownBy(() -> ATSSAssigner.prepare(nan, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bboxes row 0 must be finite");
    INDArray box = Tensors.create(new double[] {0, 0, 4, 4}, DataType.FLOAT, 1, 4);
    assertThatThrownBy(() -> ATSSAssigner.prepare(box, new int[] {2}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_level_bboxes must add up to");
  }

  @Test
  void preparedPriorsRefuseADdodAssignerAsPlainAtssOnly() {
    INDArray box = Tensors.create(new double[] {0, 0, 4, 4}, DataType.FLOAT, 1, 4);
    ATSSAssigner ddod = new ATSSAssigner(ATSSAssigner.Params.of(9).withAlpha(0.8));

    assertThatThrownBy(() -> ddod.assign(ATSSAssigner.prepare(box, null), box, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("prepared priors support plain ATSS only (alpha=None); this assigner has alpha=0.8")
        .hasMessageContaining("assign the priors' array with cls_scores and bbox_preds");
  }

  @Test
  void float64GtsGetOneFloat64TwinOfFloat32Priors() {
    INDArray box = Tensors.create(new double[] {0, 0, 4, 4}, DataType.FLOAT, 1, 4);
    ATSSPriors f32 = ATSSAssigner.prepare(box, null);
    ATSSPriors twin = f32.inF64();

    assertThat(twin.precision()).isEqualTo(Precision.F64);
    assertThat(f32.inF64()).isSameAs(twin);
    assertThat(twin.inF64()).isSameAs(twin);
  }
}
