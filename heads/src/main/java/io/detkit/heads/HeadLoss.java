package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * <p>Immutable.
 */
public final class HeadLoss {
  private final Map<String, double[]> losses;
  private final HeadOutputs grads;
  private final HeadTargets targets;

  private HeadLoss(Map<String, double[]> losses, HeadOutputs grads, HeadTargets targets) {
    this.losses = losses;
    this.grads = grads;
    this.targets = targets;
  }

  /**
   * A loss dict with gradients.
   *
   * @param losses name to per-level values (insertion order is kept)
   * @param grads gradient of {@link #total()} w.r.t. each head output
   * @param targets the targets used, or null when there were no valid anchors
   * @throws IllegalArgumentException if {@code losses} or {@code grads} is null, or a loss name or
   *     value array is null
   */
  public static HeadLoss of(Map<String, double[]> losses, HeadOutputs grads, HeadTargets targets) {
    Tensors.requireNonNull(losses, "losses");
    Tensors.requireNonNull(grads, "grads");
    Map<String, double[]> copy = new LinkedHashMap<>();
    losses.forEach((k, v) -> copy.put(Tensors.requireNonNull(k, "loss name"),
        Tensors.requireNonNull(v, "losses['" + k + "']").clone()));
    return new HeadLoss(Collections.unmodifiableMap(copy), grads, targets);
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

  /** Gradient of {@link #total()} with respect to each raw head output (same names and shapes). */
  public HeadOutputs grads() {
    return grads;
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
