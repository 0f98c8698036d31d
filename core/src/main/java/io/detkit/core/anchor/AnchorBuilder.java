package io.detkit.core.anchor;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * The strides of the levels and the order of a cell's anchors, as {@link SSDAnchorGenerator.Builder}
 * collects them; its {@code build()} validates them with its own parameters. ({@link AnchorGenerator}
 * takes the same two in its {@link AnchorGenerator.Params} record.)
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class AnchorBuilder<B extends AnchorBuilder<B>> {
  List<Stride> strides;
  boolean scaleMajor = true;

  AnchorBuilder() {}

  /** This builder, typed as the subclass. */
  abstract B self();

  /** Square strides, one per level. */
  public B strides(double... strides) {
    this.strides = Stride.squares(strides);
    return self();
  }

  /** Strides {@code (w, h)}, one per level. */
  public B strides(List<Stride> strides) {
    this.strides = new ArrayList<>(Tensors.requireNonNull(strides, "strides"));
    return self();
  }

  /**
   * Whether scales vary fastest among a cell's anchors (MMDetection's default true; SSD configs use
   * false, before SSD's own reordering).
   */
  public B scaleMajor(boolean scaleMajor) {
    this.scaleMajor = scaleMajor;
    return self();
  }
}
