package io.detkit.heads.anchorfree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PointPredictorTest {
  @Test
  void bestFirstIsTheHeadOfAStableDescendingSort() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(300);
      double[] scores = new double[n];
      for (int i = 0; i < n; i++) {
        // Few distinct values: many ties, also across the cut.
        scores[i] = rnd.nextInt(12) / 11.0;
      }
      int[] cand = new int[n];
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (scores[i] > 0.3) {
          cand[m++] = i;
        }
      }
      int keep = rnd.nextInt(m + 1);
      Integer[] all = new Integer[m];
      for (int i = 0; i < m; i++) {
        all[i] = cand[i];
      }
      Arrays.sort(all, Comparator.comparingDouble((Integer i) -> -scores[i]));
      int[] expected = Arrays.stream(all).limit(keep).mapToInt(Integer::intValue).toArray();
      assertThat(PointPredictor.bestFirst(cand, m, keep, scores)).as("trial %d", trial).containsExactly(expected);
    }
  }
}
