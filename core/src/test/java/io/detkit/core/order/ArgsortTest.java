package io.detkit.core.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ArgsortTest {
  @Test
  void descendingPutsEqualKeysInIndexOrder() {
    double[] keys = {0.1, 0.9, 0.5, 0.9, 0.5, 0.2};
    assertThat(Argsort.descending(keys)).containsExactly(1, 3, 2, 4, 5, 0);
    assertThat(Argsort.ascending(keys)).containsExactly(0, 5, 2, 4, 1, 3);
  }

  @Test
  void signedZerosTieAndGoByIndex() {
    assertThat(Argsort.descending(new double[] {0.0, -0.0, 1.0, -0.0})).containsExactly(2, 0, 1, 3);
  }

  @Test
  void rangeSortLeavesTheRestAndIgnoresInputOrderOfTies() {
    double[] keys = {0.1, 0.9, 0.5, 0.9, 0.5, 0.2};
    int[] idx = {5, 4, 3, 2, 1, 0};
    Argsort.sortDescending(idx, 1, 5, keys);
    assertThat(idx).containsExactly(5, 1, 3, 2, 4, 0);
    int[] asc = {3, 1, 0};
    Argsort.sortAscending(asc, 0, 3, keys);
    assertThat(asc).containsExactly(0, 1, 3);
  }

  @Test
  void agreesWithABoxedStableSortOnLongInputsWithManyTies() {
    Random rnd = new Random(11);
    for (int n : new int[] {0, 1, 15, 16, 17, 33, 1000, 4099}) {
      double[] keys = new double[n];
      for (int i = 0; i < n; i++) {
        keys[i] = rnd.nextInt(Math.max(1, n / 8));
      }
      Integer[] expected = IntStream.range(0, n).boxed().toArray(Integer[]::new);
      Arrays.sort(expected, Comparator.comparingDouble((Integer i) -> -keys[i]));
      assertThat(Argsort.descending(keys)).as("n=%d", n).containsExactly(Arrays.stream(expected).mapToInt(i -> i).toArray());
      int[] scratch = new int[n];
      int[] idx = IntStream.range(0, n).toArray();
      Argsort.sortDescending(idx, scratch, 0, n, keys);
      assertThat(idx).containsExactly(Argsort.descending(keys));
    }
  }

  @Test
  void rejectsNaNKeysAndBadRanges() {
    assertThatThrownBy(() -> Argsort.descending(new double[] {1, Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys[1] must not be NaN");
    assertThatThrownBy(() -> Argsort.sortDescending(new int[3], 2, 4, new double[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 4)");
    assertThatThrownBy(() -> Argsort.sortDescending(new int[3], new int[2], 0, 3, new double[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scratch must hold at least 3");
  }
}
