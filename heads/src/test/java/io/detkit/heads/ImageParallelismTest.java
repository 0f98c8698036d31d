package io.detkit.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

  /**
   * A loss call binds its step to the caller's thread; the images the caller runs itself must not
   * see it (an executor thread does not), and the binding is back after the call, even when an
   * image failed.
   */
  @Test
  void imagesOnTheCallersThreadRunWithoutTheCallersHeadStepWhichIsRestoredAfter() {
    HeadStep step = new HeadStep();
    List<Runnable> dropped = new ArrayList<>();
    for (Executor executor : Arrays.<Executor>asList(dropped::add, null)) {
      List<HeadStep> seen = HeadStep.run(step, () -> {
        List<HeadStep> out = ImageParallelism.map(executor, INPUTS, i -> HeadStep.active());
        assertSame(step, HeadStep.active());
        return out;
      });
      assertTrue(seen.stream().allMatch(Objects::isNull), "every image ran without the step");
      HeadStep after = HeadStep.run(step, () -> {
        assertThrows(IllegalStateException.class, () -> ImageParallelism.map(executor, INPUTS, i -> {
          throw new IllegalStateException("image " + i);
        }));
        return HeadStep.active();
      });
      assertSame(step, after);
    }
    assertNull(HeadStep.active());
  }

  /**
   * Arrays an image makes on the caller's thread outlive the caller's workspace, as those made on an
   * executor thread do; the caller's workspace is current again afterwards.
   */
  @Test
  void imagesOnTheCallersThreadAllocateOutsideTheCallersWorkspace() {
    WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(1 << 20)
        .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.NONE).build();
    List<Runnable> dropped = new ArrayList<>();
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "ImageParallelismTest")) {
      for (Executor executor : Arrays.<Executor>asList(dropped::add, null)) {
        List<INDArray> made = ImageParallelism.map(executor, INPUTS.subList(0, 4), i -> Nd4j.zeros(DataType.FLOAT, 3));
        assertTrue(made.stream().noneMatch(INDArray::isAttached), "no image's array in the caller's workspace");
        assertSame(ws, Nd4j.getMemoryManager().getCurrentWorkspace());
        assertTrue(Nd4j.zeros(DataType.FLOAT, 1).isAttached(), "the caller still allocates in its workspace");
      }
    }
  }
}
