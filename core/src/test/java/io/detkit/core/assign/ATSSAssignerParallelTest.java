package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.testing.RandomBoxes;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * ATSS's candidate selection, which runs gts in parallel on COCO-size inputs, selects for every gt
 * what the serial path selects for that gt alone, and gives the same assignment on a pool of one
 * thread, of three, and on the common pool, with grid priors whose centres tie in distance (the
 * case where torch's top-k order decides).
 */
class ATSSAssignerParallelTest {
  @Test
  void parallelSelectionMatchesTheSerialPathAndDoesNotDependOnThePoolSize() throws Exception {
    int[] sides = {96, 48, 24};
    int[] strides = {8, 16, 32};
    int n = 0;
    for (int s : sides) {
      n += s * s;
    }
    float[] priors = new float[4 * n];
    int[] levels = new int[sides.length];
    int p = 0;
    for (int l = 0; l < sides.length; l++) {
      levels[l] = sides[l] * sides[l];
      for (int y = 0; y < sides[l]; y++) {
        for (int x = 0; x < sides[l]; x++, p++) {
          float half = 4f * strides[l];
          float cx = (x + 0.5f) * strides[l];
          float cy = (y + 0.5f) * strides[l];
          priors[4 * p] = cx - half;
          priors[4 * p + 1] = cy - half;
          priors[4 * p + 2] = cx + half;
          priors[4 * p + 3] = cy + half;
        }
      }
    }
    int k = 20;
    float[] gts = RandomBoxes.floats(new Random(11), k, 760, 760, 8, 200);
    int[] labels = new int[k];
    ATSSAssigner assigner = new ATSSAssigner(ATSSAssigner.Params.of(9));

    // The problem is large enough for the parallel selection; one gt alone (n x 1 pairs) is not,
    // and each gt's candidates depend on that gt alone: the serial path, gt by gt, is an
    // independent computation of every column.
    int n1 = priors.length / 4;
    assertThat((long) n1 * k).isGreaterThanOrEqualTo(1 << 16);
    assertThat((long) n1).isLessThan(1 << 16);
    int[] parallel = assigner.topkCandidates(priors, levels, gts, null);
    int perGt = parallel.length / k;
    assertThat(perGt).isEqualTo(9 * sides.length);
    for (int j = 0; j < k; j++) {
      int[] serial = assigner.topkCandidates(priors, levels, java.util.Arrays.copyOfRange(gts, 4 * j, 4 * j + 4), null);
      int[] column = new int[perGt];
      for (int q = 0; q < perGt; q++) {
        column[q] = parallel[q * k + j];
      }
      assertThat(column).as("gt %d", j).containsExactly(serial);
    }

    AssignResult common = assigner.assign(priors, levels, gts, null, labels);
    for (int threads : new int[] {1, 3}) {
      ForkJoinPool pool = new ForkJoinPool(threads);
      try {
        AssignResult other = pool.submit(() -> assigner.assign(priors, levels, gts, null, labels)).get();
        assertThat(other.gtInds()).as("%d threads", threads).containsExactly(common.gtInds());
        assertThat(other.maxOverlaps()).as("%d threads", threads).containsExactly(common.maxOverlaps());
      } finally {
        pool.shutdown();
      }
    }
    assertThat(java.util.Arrays.stream(common.gtInds()).filter(i -> i > 0).count()).isGreaterThan(k);
  }
}
