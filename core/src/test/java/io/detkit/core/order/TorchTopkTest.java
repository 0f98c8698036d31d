package io.detkit.core.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TorchTopkTest {
  @Test
  void allEqualValuesPickWhatLibstdcxxIntroselectLeavesInFront() {
    // Traced by hand through std::nth_element (median-of-three pivot, unguarded partition) on five
    // equal values: the queue becomes [2, 4, 3, 0, 1], so topk(2) returns indices 2 and 4.
    assertThat(new TorchTopk().smallest(new double[5], 5, 2)).containsExactly(2, 4);
  }

  @Test
  void distinctValuesComeOutAscendingOnBothPaths() {
    Random rnd = new Random(7);
    TorchTopk topk = new TorchTopk();
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(trial % 2 == 0 ? 40 : 2000);
      int k = 1 + rnd.nextInt(Math.min(n, 12));
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextDouble(); // distinct with overwhelming probability
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
      int[] expected = new int[k];
      for (int i = 0; i < k; i++) {
        expected[i] = order[i];
      }
      assertThat(topk.smallest(v, n, k)).as("n=%d k=%d", n, k).containsExactly(expected);
    }
  }

  @Test
  void tiesStillSelectTheKSmallestValuesWithTheFirstKMinusOneSorted() {
    Random rnd = new Random(11);
    TorchTopk topk = new TorchTopk();
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rnd.nextInt(trial % 2 == 0 ? 30 : 1500);
      int k = 1 + rnd.nextInt(Math.min(n, 12));
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextInt(4);
      }
      int[] got = topk.smallest(v, n, k);
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      double[] gotValues = new double[k];
      for (int i = 0; i < k; i++) {
        gotValues[i] = v[got[i]];
      }
      assertThat(Arrays.stream(got).distinct().count()).isEqualTo(k);
      double[] sortedGot = gotValues.clone();
      Arrays.sort(sortedGot);
      assertThat(sortedGot).containsExactly(Arrays.copyOf(sorted, k));
      for (int i = 1; i < k - 1; i++) {
        assertThat(gotValues[i]).isGreaterThanOrEqualTo(gotValues[i - 1]);
      }
    }
  }

  /**
   * The partial_sort path (64 k <= n) on values with many ties picks the indices libstdc++'s own
   * {@code std::partial_sort} picks: the expected rows were printed by g++ 12 (libstdc++) running
   * partial_sort with PyTorch's comparator on (value, index) pairs of the same generated values.
   */
  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "700; 9; 3, 1, 34, 30, 5, 33, 46, 26, 2",
      "1000; 9; 14, 1, 40, 12, 22, 15, 41, 33, 6",
      "192; 3; 9, 8, 5",
      "5000; 15; 34, 36, 62, 66, 5, 70, 55, 76, 11, 30, 78, 24, 54, 29, 14",
      "15200; 9; 8, 30, 64, 3, 41, 52, 68, 47, 18"})
  void tiedValuesOnThePartialSortPathPickWhatLibstdcxxPartialSortPicks(int n, int k, String expected) {
    long x = 12345 + n;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      v[i] = (x >>> 33) % 5;
    }
    int[] want = Arrays.stream(expected.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    assertThat(new TorchTopk().smallest(v, n, k)).containsExactly(want);
  }

  @Test
  void nanSortsAfterEveryNumber() {
    double[] v = {Double.NaN, 3, Double.NaN, 1, 2};
    assertThat(new TorchTopk().smallest(v, 5, 3)).containsExactly(3, 4, 1);
  }

  @Test
  void rejectsALengthBeyondTheValues() {
    assertThatThrownBy(() -> new TorchTopk().smallest(new double[3], 4, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n must be in [0, 3]; got 4");
  }

  /** An empty level (no prior inside the image) selects nothing and takes no heap path. */
  @Test
  void anEmptySelectionTakesNoHeapPath() {
    assertThat(TorchTopk.usesHeap(0, 0)).isFalse();
    assertThat(TorchTopk.usesHeap(640, 0)).isFalse();
    assertThat(TorchTopk.usesHeap(640, 10)).isTrue();
    assertThat(new TorchTopk().smallest(new double[0], 0, 0)).isEmpty();
  }

  /** The value-by-value heap API refuses calls out of order, naming the call and what it needs. */
  @Test
  void theHeapApiRefusesReadingOrOfferingWithoutAHeapInProgress() {
    TorchTopk fresh = new TorchTopk();
    assertThatThrownBy(() -> fresh.rejects(1.0)).isInstanceOf(IllegalStateException.class)
        .hasMessage("rejects needs a heap in progress: call beginHeap first (each finishHeap ends one)");
    assertThatThrownBy(() -> fresh.offer(5, 1.0)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("offer needs a heap in progress");
    assertThatThrownBy(fresh::finishHeap).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("finishHeap needs a heap in progress");

    TorchTopk done = new TorchTopk();
    done.beginHeap(new double[] {4, 3}, 2);
    done.offer(2, 1);
    assertThat(done.finishHeap()).containsExactly(2, 1);
    // Finished: a second finish, a read of the old top or a late offer would see a stale heap.
    assertThatThrownBy(done::finishHeap).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> done.rejects(0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> done.offer(3, 0)).isInstanceOf(IllegalStateException.class);
    // After the other path too.
    TorchTopk afterSmallest = new TorchTopk();
    assertThat(afterSmallest.smallest(new double[] {3, 1, 2}, 3, 2)).containsExactly(1, 2);
    assertThatThrownBy(() -> afterSmallest.offer(3, 0)).isInstanceOf(IllegalStateException.class);
    // A selection abandoned by smallest (which reuses the buffers) is over, not silently corrupted.
    TorchTopk abandoned = new TorchTopk();
    abandoned.beginHeap(new double[] {4, 3}, 2);
    abandoned.smallest(new double[] {3, 1, 2}, 3, 2);
    assertThatThrownBy(() -> abandoned.offer(2, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(abandoned::finishHeap).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theHeapApiRefusesBadArgumentsAndPositionsThatDoNotAdvance() {
    TorchTopk t = new TorchTopk();
    assertThatThrownBy(() -> t.beginHeap(null, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("first must not be null");
    assertThatThrownBy(() -> t.beginHeap(new double[2], 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be in [1, 2]; got 0");
    assertThatThrownBy(() -> t.beginHeap(new double[2], 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be in [1, 2]; got 3");
    assertThatThrownBy(() -> t.smallest(null, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("values must not be null");

    t.beginHeap(new double[] {5, 6}, 2);
    // Position 1 is inside the heap's first k values: offering it again would count it twice.
    assertThatThrownBy(() -> t.offer(1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("position must increase past 1 (the heap holds positions 0..1; offers come in increasing"
            + " position order); got 1");
    t.offer(4, 2);
    assertThatThrownBy(() -> t.offer(3, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("got 3");
    // A refused offer leaves the heap as it was: the selection goes on.
    t.offer(7, 1);
    assertThat(t.finishHeap()).containsExactly(7, 4);
  }

  /** A value the heap rejects changes nothing, so the checks sit on the entering branch only. */
  @Test
  void aRejectedValueNeedsNoCheckAndChangesNothing() {
    double[] v = {9, 8, 7, 1, 2, 30, 40, 0.5};
    TorchTopk t = new TorchTopk();
    t.beginHeap(v, 3);
    for (int i = 3; i < v.length; i++) {
      t.offer(i, v[i]);
    }
    assertThat(t.finishHeap()).containsExactly(new TorchTopk().smallest(v, v.length, 3));
  }
}
