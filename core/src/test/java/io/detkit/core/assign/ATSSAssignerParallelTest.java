package io.detkit.core.assign;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.testing.RandomBoxes;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * ATSS's candidate selection, which runs gts in parallel on COCO-size inputs, gives the same
 * assignment on a pool of one thread, of three, and on the common pool, with grid priors whose
 * centres tie in distance (the case where torch's top-k order decides).
 */
class ATSSAssignerParallelTest {
  @Test
  void assignmentDoesNotDependOnThePoolSize() throws Exception {
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
