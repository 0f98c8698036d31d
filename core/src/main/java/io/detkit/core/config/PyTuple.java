package io.detkit.core.config;

import io.detkit.core.tensor.Tensors;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list that remembers it was written as a Python tuple, {@code (0.3, 0.4)}.
 *
 * <p>MMDetection sometimes branches on tuple versus list (MaxIoUAssigner's {@code neg_iou_thr} is
 * a range only when it is a tuple), so configs keep the distinction. In every other respect a
 * tuple is a {@link List}.
 */
public final class PyTuple extends AbstractList<Object> implements RandomAccess {
  private final List<Object> items;

  private PyTuple(List<Object> items) {
    this.items = items;
  }

  /**
   * A tuple of the given items (null items allowed, for Python's {@code None}).
   *
   * @throws IllegalArgumentException if {@code items} itself is null
   */
  public static PyTuple of(List<?> items) {
    Tensors.requireNonNull(items, "items");
    return new PyTuple(Collections.unmodifiableList(new ArrayList<>(items)));
  }

  @Override
  public Object get(int index) {
    return items.get(index);
  }

  @Override
  public int size() {
    return items.size();
  }
}
