package io.detkit.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ImageParallelismTest {
  private static final List<Integer> INPUTS = IntStream.range(0, 40).boxed().toList();

  @Test
  void resultsComeInImageOrderWithEachImageRunOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      AtomicInteger calls = new AtomicInteger();
      List<Integer> out = ImageParallelism.map(pool, INPUTS, i -> {
        calls.incrementAndGet();
        return i * i;
      });
      List<Integer> expected = new ArrayList<>();
      for (int i : INPUTS) {
        expected.add(i * i);
      }
      assertEquals(expected, out);
      assertEquals(INPUTS.size(), calls.get());
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void callerRunsWhatNoExecutorThreadStarted() {
    // An executor that never runs what it is given: the caller must run every image itself.
    List<Runnable> dropped = new ArrayList<>();
    List<Integer> out = ImageParallelism.map(dropped::add, INPUTS, i -> i + 1);
    assertEquals(INPUTS.size() - 1, dropped.size());
    assertEquals(INPUTS.stream().map(i -> i + 1).toList(), out);
  }

  @Test
  void firstFailureInImageOrderIsRethrownUnwrapped() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ImageParallelism.map(
        r -> { }, INPUTS, i -> {
          if (i == 7 || i == 30) {
            throw new IllegalStateException("image " + i);
          }
          return i;
        }));
    assertEquals("image 7", e.getMessage());
  }
}
