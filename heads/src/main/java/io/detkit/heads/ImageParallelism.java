package io.detkit.heads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Runs one task per image on an executor and collects the results in image order. Each task sees
 * only its own inputs, so the results do not depend on how many threads run them; a head's
 * per-image steps (targets, predictions) run through it. Stateless and thread-safe.
 */
public final class ImageParallelism {
  private ImageParallelism() {}

  /**
   * {@code f} applied to every input, in order; sequential in the caller's thread when
   * {@code executor} is null or there is a single input.
   *
   * @throws RuntimeException the first (in image order) exception a task threw, unwrapped
   */
  public static <I, O> List<O> map(Executor executor, List<I> inputs, Function<I, O> f) {
    List<O> out = new ArrayList<>(inputs.size());
    if (executor == null || inputs.size() < 2) {
      for (I in : inputs) {
        out.add(f.apply(in));
      }
      return out;
    }
    List<CompletableFuture<O>> futures = new ArrayList<>(inputs.size());
    for (I in : inputs) {
      futures.add(CompletableFuture.supplyAsync(() -> f.apply(in), executor));
    }
    for (CompletableFuture<O> fu : futures) {
      try {
        out.add(fu.join());
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
}
