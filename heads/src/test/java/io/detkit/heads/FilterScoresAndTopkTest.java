package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Predictor#filterScoresAndTopk}, the candidate ordering of anchor and point heads alike. */
class FilterScoresAndTopkTest {
  @Test
  void isTheHeadOfAStableDescendingSortOfTheScoresAboveTheThreshold() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rnd.nextInt(300);
      double[] scores = new double[n];
      for (int i = 0; i < n; i++) {
        // Few distinct values: many ties, also across the cut.
        scores[i] = rnd.nextInt(12) / 11.0;
      }
      Integer[] above = java.util.stream.IntStream.range(0, n).filter(i -> scores[i] > 0.3).boxed()
          .toArray(Integer[]::new);
      int m = above.length;
      // nms_pre as a Python slice: a count, or negative to drop from the end
      int nmsPre = rnd.nextBoolean() ? rnd.nextInt(m + 2) : -1 - rnd.nextInt(m + 1);
      int keep = nmsPre >= 0 ? Math.min(nmsPre, m) : Math.max(m + nmsPre, 0);
      Arrays.sort(above, Comparator.comparingDouble((Integer i) -> -scores[i]));
      int[] expected = Arrays.stream(above).limit(keep).mapToInt(Integer::intValue).toArray();
      assertThat(Predictor.filterScoresAndTopk(scores, n, 0.3, nmsPre)).as("trial %d", trial)
          .containsExactly(expected);
    }
  }
}
