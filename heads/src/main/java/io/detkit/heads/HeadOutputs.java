package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The raw outputs of a dense head, one NCHW array per FPN level for each named output, in
 * MMDetection's layout:
 *
 * <ul>
 *   <li>{@code cls_scores}: {@code [N, A*C, H, W]} logits, A anchors per location, C =
 *       {@code cls_out_channels};
 *   <li>{@code bbox_preds}: {@code [N, A*4, H, W]} box deltas (or distances);
 *   <li>{@code centernesses} (ATSS): {@code [N, A, H, W]} centerness logits.
 * </ul>
 *
 * <p>Channel {@code a*C + c} of location (y, x) belongs to anchor {@code (y*W + x)*A + a} of that
 * level, the order of the anchor generator. The same type carries gradients: a head's
 * {@link HeadLoss#grads()} has one array per output, same names and shapes.
 *
 * <p>Immutable (arrays are not copied). The head that consumes the outputs checks the shapes.
 */
public final class HeadOutputs {
  /** Name of the classification logits. */
  public static final String CLS_SCORES = "cls_scores";
  /** Name of the box regression output. */
  public static final String BBOX_PREDS = "bbox_preds";
  /** Name of ATSS's centerness logits. */
  public static final String CENTERNESSES = "centernesses";

  private final Map<String, List<INDArray>> outputs;

  private HeadOutputs(Map<String, List<INDArray>> outputs) {
    this.outputs = outputs;
  }

  /**
   * Classification and regression outputs.
   *
   * @throws IllegalArgumentException if either list is empty, holds null, or the counts differ
   */
  public static HeadOutputs of(List<INDArray> clsScores, List<INDArray> bboxPreds) {
    return empty().with(CLS_SCORES, clsScores).with(BBOX_PREDS, bboxPreds);
  }

  /** No outputs yet; add them with {@link #with}. */
  public static HeadOutputs empty() {
    return new HeadOutputs(Map.of());
  }

  /**
   * A copy with the output {@code name} set to {@code levels}.
   *
   * @throws IllegalArgumentException if {@code name} is null, {@code levels} is null or empty, holds
   *     null or has a different level count from the outputs already present
   */
  public HeadOutputs with(String name, List<INDArray> levels) {
    Tensors.requireNonNull(name, "name");
    if (levels == null || levels.isEmpty()) {
      throw new IllegalArgumentException(name + " must hold one array per level; got "
          + (levels == null ? "null" : "an empty list"));
    }
    for (int l = 0; l < levels.size(); l++) {
      Tensors.requireNonNull(levels.get(l), name + "[" + l + "]");
    }
    for (Map.Entry<String, List<INDArray>> e : outputs.entrySet()) {
      if (!e.getKey().equals(name) && e.getValue().size() != levels.size()) {
        throw new IllegalArgumentException(name + " has " + levels.size() + " levels but " + e.getKey() + " has "
            + e.getValue().size());
      }
    }
    Map<String, List<INDArray>> copy = new LinkedHashMap<>(outputs);
    copy.put(name, Collections.unmodifiableList(new ArrayList<>(levels)));
    return new HeadOutputs(Collections.unmodifiableMap(copy));
  }

  /** The output names, in insertion order. */
  public Set<String> names() {
    return outputs.keySet();
  }

  /** Whether {@code name} is present. */
  public boolean has(String name) {
    return outputs.containsKey(name);
  }

  /**
   * The per-level arrays of {@code name}.
   *
   * @throws IllegalArgumentException if the output is absent, listing the present ones
   */
  public List<INDArray> get(String name) {
    List<INDArray> l = outputs.get(name);
    if (l == null) {
      throw new IllegalArgumentException("head outputs have no '" + name + "'; present: " + outputs.keySet());
    }
    return l;
  }

  /**
   * The array of {@code name} at {@code level}.
   *
   * @throws IllegalArgumentException if the output is absent or {@code level} is out of range
   */
  public INDArray get(String name, int level) {
    List<INDArray> l = get(name);
    return l.get(Tensors.requireIndex(level, l.size(), "level"));
  }

  /** {@code cls_scores}. */
  public List<INDArray> clsScores() {
    return get(CLS_SCORES);
  }

  /** {@code bbox_preds}. */
  public List<INDArray> bboxPreds() {
    return get(BBOX_PREDS);
  }

  /** Number of levels (0 when empty). */
  public int numLevels() {
    return outputs.isEmpty() ? 0 : outputs.values().iterator().next().size();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("HeadOutputs(");
    boolean first = true;
    for (Map.Entry<String, List<INDArray>> e : outputs.entrySet()) {
      sb.append(first ? "" : ", ").append(e.getKey()).append('=');
      first = false;
      List<String> shapes = new ArrayList<>();
      e.getValue().forEach(a -> shapes.add(Tensors.shapeOf(a)));
      sb.append(shapes);
    }
    return sb.append(')').toString();
  }
}
