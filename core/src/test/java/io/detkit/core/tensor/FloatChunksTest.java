package io.detkit.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The chunked float/double copies give each element's own conversion, across chunks and threads. */
class FloatChunksTest {
  private static double[] randomDoubles(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      // Many magnitudes, so that narrowing rounds, overflows to infinity and goes subnormal.
      v[i] = (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.pow(2, r.nextInt(-160, 140));
    }
    return v;
  }

  private static FloatBuffer direct(int n) {
    return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** Narrows {@code v} at offsets spanning chunk boundaries, widens back, and checks each element. */
  private static void roundTrip(double[] v) {
    int offset = 3;
    FloatBuffer buf = direct(v.length + 2 * offset);
    FloatChunks.narrow(v, 1, buf, offset, v.length - 1);
    for (int i = 1; i < v.length; i++) {
      assertThat(Float.floatToRawIntBits(buf.get(offset + i - 1))).as("narrowed element " + i)
          .isEqualTo(Float.floatToRawIntBits((float) v[i]));
    }
    assertThat(buf.position()).isZero();
    double[] back = new double[v.length + 1];
    FloatChunks.widen(buf, offset, back, 2, v.length - 1);
    for (int i = 1; i < v.length; i++) {
      assertThat(Double.doubleToRawLongBits(back[i + 1])).as("widened element " + i)
          .isEqualTo(Double.doubleToRawLongBits((float) v[i]));
    }
    assertThat(back[0]).isZero();
    assertThat(back[1]).isZero();
  }

  @Test
  void eachElementIsConvertedAsByItsOwnCastAcrossChunks() {
    for (int n : new int[] {1, 2, FloatChunks.CHUNK, FloatChunks.CHUNK + 1, 2 * FloatChunks.CHUNK + 7}) {
      roundTrip(randomDoubles(n, n + 1));
    }
  }

  @Test
  void threadsCopyingAtOnceDoNotShareAChunk() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        double[] v = randomDoubles(100 + t, 3 * FloatChunks.CHUNK + 11);
        done.add(pool.submit(() -> {
          for (int k = 0; k < 5; k++) {
            roundTrip(v);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsWritten() {
    FloatBuffer buf = direct(8);
    double[] arr = new double[8];
    assertThatThrownBy(() -> FloatChunks.widen(null, 0, arr, 0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from");
    assertThatThrownBy(() -> FloatChunks.narrow(arr, 0, null, 0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("to");
    assertThatThrownBy(() -> FloatChunks.widen(buf, 0, arr, 0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> FloatChunks.widen(buf, 4, arr, 0, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    arr[0] = 7.0;
    // The destination range is checked first too: nothing of a copy that cannot finish is written.
    assertThatThrownBy(() -> FloatChunks.widen(buf, 0, arr, 0, 9)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(arr[0]).isEqualTo(7.0);
    assertThatThrownBy(() -> FloatChunks.narrow(arr, 0, buf, 6, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(buf.get(6)).isEqualTo(0.0f);
  }
}
