package io.detkit.heads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs one task per image on an executor and collects the results in image order. Each task sees
 * only its own inputs, so the results do not depend on how many threads run them, nor on which
 * thread runs which task; a head's per-image steps (targets, predictions) run through it.
 *
 * <p>A task runs on the caller's thread as it would on an executor thread: with no
 * {@link HeadStep} bound (a head's loss call binds its step to the caller's thread for the
 * accumulators it makes itself; a per-image task that made one would otherwise write into the
 * step's shared arrays on this thread only), and outside any ND4J workspace the caller has open
 * (an array a task returns outlives the call, and one allocated in the caller's workspace would be
 * overwritten when that workspace is next reset). Both are restored when the task ends, whether it
 * returns or throws. Stateless and thread-safe.
 */
public final class ImageParallelism {
  private ImageParallelism() {}

  /**
   * {@code f} applied to every input, in order; sequential in the caller's thread when
   * {@code executor} is null or there is a single input. Otherwise the caller works too: it hands
   * images 1..n-1 to {@code executor}, runs image 0, then runs (last first) every image no executor
   * thread has started, and only then waits. Without this the caller slept while the common pool,
   * whose parallelism is one on a two-core machine, ran a whole batch's images on one thread; and a
   * descheduled worker cost the caller its whole wait.
   *
   * @throws RuntimeException the first (in image order) exception a task threw, unwrapped
   */
  public static <I, O> List<O> map(Executor executor, List<I> inputs, Function<I, O> f) {
    List<O> out = new ArrayList<>(inputs.size());
    if (executor == null || inputs.size() < 2) {
      for (I in : inputs) {
        out.add(isolated(f, in));
      }
      return out;
    }
    List<Claimable<I, O>> tasks = new ArrayList<>(inputs.size());
    for (I in : inputs) {
      tasks.add(new Claimable<>(in, f));
    }
    for (int i = 1; i < tasks.size(); i++) {
      executor.execute(tasks.get(i));
    }
    tasks.get(0).run();
    // The executor's threads take the images first to last; the caller takes them last to first.
    for (int i = tasks.size() - 1; i > 0; i--) {
      tasks.get(i).run();
    }
    for (Claimable<I, O> t : tasks) {
      try {
        out.add(t.result.join());
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw e;
      }
    }
    return out;
  }

  /**
   * {@code f(in)} with no {@link HeadStep} bound and outside any workspace, the calling thread's
   * binding and workspace restored afterwards (on an executor thread there is neither to restore).
   */
  private static <I, O> O isolated(Function<I, O> f, I in) {
    HeadStep bound = HeadStep.bind(null);
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      return f.apply(in);
    } finally {
      HeadStep.bind(bound);
    }
  }

  /** One image's task; runs once, on whichever thread claims it first. */
  private static final class Claimable<I, O> implements Runnable {
    private final I input;
    private final Function<I, O> f;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CompletableFuture<O> result = new CompletableFuture<>();

    Claimable(I input, Function<I, O> f) {
      this.input = input;
      this.f = f;
    }

    @Override
    public void run() {
      if (!claimed.compareAndSet(false, true)) {
        return;
      }
      try {
        result.complete(isolated(f, input));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }
  }
}
