package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link AnchorHead#loss} returns: MMDetection's loss dict (one value per level for each key,
 * e.g. {@code loss_cls}, {@code loss_bbox}, {@code loss_centerness}, or RPN's
 * {@code loss_rpn_cls} / {@code loss_rpn_bbox}), the gradient of their sum with respect to every
 * raw head output, and the targets the losses were computed from.
 *
 * <p>An image with no anchor inside it gets empty targets and the other images train as usual
 * (MMDetection's {@code get_targets} returns None for the whole batch). When no image of the batch
 * has an inside anchor, the result has no loss entries, all-zero gradients and no targets: check
 * {@link #hasLosses()} to skip the batch.
 *
 * <p><b>Who owns what.</b> The gradient arrays of {@link #grads()} live off the Java heap. Those a
 * call made new belong to this loss, and {@link #close()} releases them at once; a caller that drops
 * a loss without closing it leaves them to the garbage collector, which frees ND4J memory only when
 * it happens to collect (so a training loop that drops each step's loss keeps tens of megabytes of
 * dead gradients alive and pages in fresh memory for every new one). Never released by
 * {@code close()}: a {@link HeadStep}'s arrays (reused by the step's next call; the step owns them)
 * and the caller's own inputs (the outputs handed to {@code loss}). A loss made by a head with its
 * {@link #details(Class) details} releases their ND4J arrays too. Consume, then close:
 *
 * <pre>{@code
 * try (HeadLoss loss = head.loss(outputs, gts, metas)) {
 *   network.backward(loss.grads());   // read the gradients inside the block
 *   log(loss.total());
 * }
 * }</pre>
 *
 * <p>After {@code close()} the loss values ({@link #names()}, {@link #get}, {@link #sum},
 * {@link #total()}) and {@link #targets()} stay readable; {@link #grads()} and {@link #details}
 * throw {@link IllegalStateException}. Closing twice does nothing. Gradients taken out before
 * {@code close()} must not be read after it: a caller that keeps one {@code dup()}s it first.
 *
 * <p>Immutable apart from being closed; any thread may read it, and {@code close()} may be called
 * from any thread once no thread reads the gradients.
 */
public final class HeadLoss implements AutoCloseable {
  private final Map<String, double[]> losses;
  private final HeadOutputs grads;
  private final HeadTargets targets;
  private final LossDetails details;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HeadLoss(Map<String, double[]> losses, HeadOutputs grads, HeadTargets targets, LossDetails details) {
    this.losses = losses;
    this.grads = grads;
    this.targets = targets;
    this.details = details;
  }

  /**
   * A loss dict with gradients, which it owns: {@link #close()} releases every gradient array except
   * a {@link HeadStep}'s (those are marked not closeable). Hand it only arrays made for this loss,
   * never the caller's inputs ({@link GradAccumulator#toOutputs()} gives such arrays).
   *
   * @param losses name to per-level values (insertion order is kept)
   * @param grads gradient of {@link #total()} w.r.t. each head output
   * @param targets the targets used, or null when there were no valid anchors
   * @throws IllegalArgumentException if {@code losses} or {@code grads} is null, or a loss name or
   *     value array is null
   */
  public static HeadLoss of(Map<String, double[]> losses, HeadOutputs grads, HeadTargets targets) {
    return of(losses, grads, targets, null);
  }

  /**
   * {@link #of(Map, HeadOutputs, HeadTargets)} carrying the values the loss was computed from, read
   * back with {@link #details(Class)}; the loss owns them too ({@link LossDetails#release()} runs on
   * {@link #close()}).
   *
   * @param details the head's details record, or null for none
   */
  public static HeadLoss of(Map<String, double[]> losses, HeadOutputs grads, HeadTargets targets,
      LossDetails details) {
    Tensors.requireNonNull(losses, "losses");
    Tensors.requireNonNull(grads, "grads");
    Map<String, double[]> copy = new LinkedHashMap<>();
    losses.forEach((k, v) -> copy.put(Tensors.requireNonNull(k, "loss name"),
        Tensors.requireNonNull(v, "losses['" + k + "']").clone()));
    return new HeadLoss(Collections.unmodifiableMap(copy), grads, targets, details);
  }

  /** Whether the dict has entries (false when no image had an anchor inside). */
  public boolean hasLosses() {
    return !losses.isEmpty();
  }

  /** The loss names, in MMDetection's order. */
  public List<String> names() {
    return List.copyOf(losses.keySet());
  }

  /**
   * The per-level values of {@code name} (copy).
   *
   * @throws IllegalArgumentException if the dict has no such key, listing the present ones
   */
  public double[] get(String name) {
    double[] v = losses.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no loss named '" + name + "'; present: " + losses.keySet());
    }
    return v.clone();
  }

  /**
   * The value of {@code name} at {@code level}.
   *
   * @throws IllegalArgumentException if the dict has no such key or {@code level} is out of range
   */
  public double get(String name, int level) {
    double[] v = get(name);
    return v[Tensors.requireIndex(level, v.length, "level")];
  }

  /** The sum of {@code name} over levels (what MMDetection logs). */
  public double sum(String name) {
    double s = 0;
    for (double v : get(name)) {
      s += v;
    }
    return s;
  }

  /** The sum of every entry of every loss: the scalar the gradients belong to. */
  public double total() {
    double s = 0;
    for (double[] v : losses.values()) {
      for (double x : v) {
        s += x;
      }
    }
    return s;
  }

  /**
   * Gradient of {@link #total()} with respect to each raw head output (same names and shapes).
   *
   * @throws IllegalStateException if the loss was closed (its gradients are released)
   */
  public HeadOutputs grads() {
    requireOpen("grads()");
    return grads;
  }

  /**
   * The values the head computed the loss from (divisors, weights, decoded boxes, ...), as the
   * head's details record of type {@code type} ({@code GFLLoss}, {@code TOODLoss}, {@code FCOSLoss},
   * {@code VFNetLoss}), for checking against MMDetection.
   *
   * @throws IllegalArgumentException if the loss carries no details of that type, naming what it carries
   * @throws IllegalStateException if the loss was closed
   */
  public <D extends LossDetails> D details(Class<D> type) {
    Tensors.requireNonNull(type, "type");
    requireOpen("details()");
    if (!type.isInstance(details)) {
      throw new IllegalArgumentException("this loss carries " + (details == null ? "no details"
          : "details of type " + details.getClass().getSimpleName()) + "; asked for " + type.getSimpleName());
    }
    return type.cast(details);
  }

  /**
   * Releases the ND4J arrays this loss owns (see the class comment): the gradients a call made new
   * and the details' arrays; never a {@link HeadStep}'s or the caller's inputs. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (String name : grads.names()) {
      for (INDArray g : grads.get(name)) {
        // A HeadStep's arrays are not closeable; ND4J's close() skips them, and views, itself.
        g.close();
      }
    }
    if (details != null) {
      details.release();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  private void requireOpen(String what) {
    if (closed.get()) {
      throw new IllegalStateException("this HeadLoss was closed (its gradients were released); read " + what
          + " inside the try-with-resources block, or dup() the arrays you keep before closing");
    }
  }

  /** The targets the losses were computed from; empty when no image had an anchor inside. */
  public Optional<HeadTargets> targets() {
    return Optional.ofNullable(targets);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("HeadLoss(");
    boolean first = true;
    for (Map.Entry<String, double[]> e : losses.entrySet()) {
      sb.append(first ? "" : ", ").append(e.getKey()).append('=').append(Arrays.toString(e.getValue()));
      first = false;
    }
    return sb.append(losses.isEmpty() ? "no valid anchors)" : ")").toString();
  }
}
