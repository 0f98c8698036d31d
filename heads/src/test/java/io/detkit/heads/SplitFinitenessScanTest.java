package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link OutputChecks#requireFinite} on outputs large enough that its scan is split over the caller
 * and the common pool: a bad value in any chunk is found, and the message is the exact check's,
 * naming the first bad element, as for a scan on one thread.
 */
class SplitFinitenessScanTest {
  /** 1.5M floats (0.75M longs): split on any machine whose common pool has a thread. */
  private static final int N = 3 * OutputChecks.PARALLEL_LONGS;

  @Test
  void largeArraysAreSplitIntoAFewLargeChunksOnlyAboveTheThreshold() {
    assertThat(OutputChecks.chunks(OutputChecks.PARALLEL_LONGS - 1, 15)).isEqualTo(1);
    assertThat(OutputChecks.chunks(OutputChecks.PARALLEL_LONGS, 1)).isEqualTo(2);
    assertThat(OutputChecks.chunks(OutputChecks.PARALLEL_LONGS, 15)).isEqualTo(2);
    assertThat(OutputChecks.chunks(8 * OutputChecks.PARALLEL_LONGS, 3)).isEqualTo(4);
    assertThat(OutputChecks.chunks(8 * OutputChecks.PARALLEL_LONGS, 0)).isEqualTo(1);
  }

  @Test
  void aBadValueInAnyChunkIsReportedAsTheExactCheckReportsIt() {
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      v[i] = (i % 97) - 48.5f;
    }
    OutputChecks.requireFinite(Tensors.create(v, DataType.FLOAT, N), "clean");
    // The first and last element, both sides of every chunk boundary, and the last float of an odd count.
    int[] bad = {0, N / 4, N / 2 - 1, N / 2, N / 2 + 1, 3 * N / 4, N - 2, N - 1};
    for (int at : bad) {
      float[] w = v.clone();
      w[at] = at % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
      assertSameFailure(Tensors.create(w, DataType.FLOAT, N), "f" + at);
    }
    float[] odd = Arrays.copyOf(v, N + 1);
    odd[N] = Float.POSITIVE_INFINITY;
    assertSameFailure(Tensors.create(odd, DataType.FLOAT, N + 1), "odd");
  }

  @Test
  void twoBadValuesInDifferentChunksReportTheFirst() {
    double[] v = new double[N];
    v[N - 3] = Double.NaN;
    v[N / 3] = Double.POSITIVE_INFINITY;
    assertSameFailure(Tensors.create(v, DataType.DOUBLE, N), "two");
  }

  private static void assertSameFailure(INDArray a, String name) {
    Throwable exact = null;
    try {
      Tensors.requireFinite(a, name);
    } catch (IllegalArgumentException e) {
      exact = e;
    }
    assertThat(exact).as("the exact check rejects " + name).isNotNull();
    assertThatThrownBy(() -> OutputChecks.requireFinite(a, name))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(exact.getMessage());
  }
}
