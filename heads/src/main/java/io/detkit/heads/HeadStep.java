package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reusable workspace for a trainer's head steps: the gradient arrays one
 * {@link BaseDenseHead#loss(HeadOutputs, List, List, int, HeadStep)} call hands back (every built-in
 * head: anchor heads, GFL, TOOD, and the point heads) live here and are
 * reused (overwritten) by the next call with the same step, so that a steady-state step does not
 * create and page in fresh off-heap gradients (about 60 MB a COCO-size RetinaHead image).
 *
 * <p>Contract: the {@link HeadLoss#grads()} of a call made with this step stay valid until the next
 * call with it; a caller that keeps them longer copies them ({@code dup()}). One step per training
 * thread: not thread-safe, and a call with a step must not run concurrently with another call
 * using the same step. The arrays are created outside any ND4J workspace (they outlive a
 * workspace scope) and are re-created when an output's shape or dtype changes. The step owns them:
 * they are marked not closeable ({@link INDArray#setCloseable}), so closing a {@link HeadLoss}
 * (or an array) leaves them to the step, which the garbage collector frees with it. Results are the
 * same bits as {@link AnchorHead#loss(HeadOutputs, List, List, int)}'s.
 */
public final class HeadStep {
  // The hooks between loss() and the losses (lossFromTargets, levelLosses) keep their signatures, so
  // the step travels to the accumulator bound to the calling thread for the call's duration.
  private static final ThreadLocal<HeadStep> ACTIVE = new ThreadLocal<>();

  private final Map<String, INDArray[]> buffers = new HashMap<>();

  /** An empty step; its buffers are created by the first call that needs them. */
  public HeadStep() {}

  /**
   * Runs {@code call} (a head's loss computation) with {@code step} bound to the calling thread, so
   * that the accumulators it makes with {@link GradAccumulator#forCall} take their arrays from the
   * step; null runs it with new arrays. The previous binding is restored afterwards. For heads that
   * override {@link BaseDenseHead#loss(HeadOutputs, List, List, int, HeadStep)} (the point heads);
   * anchor heads get it from {@link AnchorHead}.
   */
  public static <T> T run(HeadStep step, Supplier<T> call) {
    HeadStep previous = bind(step);
    try {
      return call.get();
    } finally {
      bind(previous);
    }
  }

  /** The step bound to the calling thread by a running loss call, or null. */
  static HeadStep active() {
    return ACTIVE.get();
  }

  /** Binds {@code step} (null for none) to the calling thread; returns the previous binding. */
  static HeadStep bind(HeadStep step) {
    HeadStep previous = ACTIVE.get();
    if (step == null) {
      ACTIVE.remove();
    } else {
      ACTIVE.set(step);
    }
    return previous;
  }

  /**
   * The reusable dense C-order array for output {@code name} at {@code level} (contents left from
   * the last use), created outside any workspace when missing or of another shape or dtype.
   */
  INDArray buffer(String name, int level, long[] shape, DataType dtype) {
    INDArray[] levels = buffers.computeIfAbsent(Tensors.requireNonNull(name, "name"), k -> new INDArray[level + 1]);
    if (levels.length <= level) {
      levels = Arrays.copyOf(levels, level + 1);
      buffers.put(name, levels);
    }
    INDArray b = levels[level];
    if (b == null || b.dataType() != dtype || !Arrays.equals(b.shape(), shape)) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        b = Nd4j.createUninitialized(dtype, shape, 'c');
      }
      b.setCloseable(false);
      levels[level] = b;
    }
    return b;
  }
}
