package io.detkit.bench;

import io.detkit.heads.HeadLoss;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.Deallocatable;
import org.nd4j.linalg.api.memory.deallocation.DeallocatableReference;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Counts the ND4J (off-heap) buffers that one steady-state head step creates, and their bytes:
 * the buffers registered with ND4J's deallocator service during the step that were not there
 * before it. Run by {@code bench/run.sh} after the JMH suite; prints one line per head, batch and mode
 * ({@code bench/pytorch_bench.py} reads them into its table).
 *
 * <p>Each head is measured as it is usually called and inside an ND4J workspace
 * ({@link HeadBench#STEP_WORKSPACE}), where the arrays the calling thread creates reuse the
 * workspace's memory once its size is learned. The count is exact when no garbage collection runs during the step (each measured step
 * starts right after one); a collection during the step could only lower it.
 */
public final class OffHeapPerStep {
  private static final int WARMUP = 3;
  private static final int MEASURED = 5;

  private OffHeapPerStep() {}

  /**
   * Prints {@code head batch buffers bytes} per measured configuration; {@code args[0]}, if given, a
   * comma list of the heads to measure (default {@link BenchHeads#HEADS}).
   */
  public static void main(String[] args) throws Exception {
    for (String head : args.length > 0 ? List.of(args[0].split(",")) : BenchHeads.HEADS) {
      for (int batch : new int[] {1, 2}) {
        for (String mode : REUSED ? new String[] {"", " in a workspace", " with a HeadStep"}
            : new String[] {"", " in a workspace"}) {
          measure(head, batch, mode);
        }
      }
    }
  }

  /** Also measures every head's step with a reused {@code HeadStep} ({@code -Ddetkit.bench.reused=true}). */
  private static final boolean REUSED = Boolean.getBoolean("detkit.bench.reused");

  private static void measure(String head, int batch, String mode) throws Exception {
    boolean workspace = mode.equals(" in a workspace");
    HeadBench.Reuse reuse = mode.equals(" with a HeadStep") ? new HeadBench.Reuse() : null;
    {
      HeadState s = new HeadState();
      s.head = head;
      s.batch = batch;
      s.setUp();
      try {
        for (int i = 0; i < WARMUP; i++) {
          step(s, workspace, reuse);
        }
        long minBuffers = Long.MAX_VALUE;
        long minBytes = Long.MAX_VALUE;
        for (int i = 0; i < MEASURED; i++) {
          System.gc();
          Thread.sleep(200);
          Set<Long> before = new HashSet<>(references().keySet());
          HeadLoss keep = step(s, workspace, reuse);
          long buffers = 0;
          long bytes = 0;
          for (Map.Entry<Long, DeallocatableReference> e : references().entrySet()) {
            Deallocatable d = e.getValue().get();
            // Workspace-attached buffers live in memory the workspace already holds.
            if (!before.contains(e.getKey()) && !(d instanceof DataBuffer db && db.isAttached())) {
              buffers++;
              if (d instanceof DataBuffer b) {
                bytes += b.length() * b.getElementSize();
              }
            }
          }
          minBuffers = Math.min(minBuffers, buffers);
          minBytes = Math.min(minBytes, bytes);
          // The step's results must stay alive until their buffers have been counted.
          Reference.reachabilityFence(keep);
        }
        System.out.printf("offheap %s batch %d%s: %d buffers, %.1f MB created per steady-state step%n", head,
            batch, mode, minBuffers, minBytes / 1e6);
      } finally {
        s.tearDown();
      }
    }
  }

  private static HeadLoss step(HeadState s, boolean workspace, HeadBench.Reuse reuse) {
    if (reuse != null) {
      return reuse.step(s);
    }
    if (!workspace) {
      return s.benchHead.step(s.outputs, s.gts, s.metas);
    }
    HeadBench.stepInWorkspaceOnce(s);
    // The step's arrays live in the workspace; nothing of it outlives the scope.
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<Long, DeallocatableReference> references() throws ReflectiveOperationException {
    Field f = DeallocatorService.class.getDeclaredField("referenceMap");
    f.setAccessible(true);
    return (Map<Long, DeallocatableReference>) f.get(Nd4j.getDeallocatorService());
  }
}
