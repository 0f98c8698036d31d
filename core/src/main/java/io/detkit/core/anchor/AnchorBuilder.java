package io.detkit.core.anchor;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * What the anchor generators' builders ({@link AnchorGenerator.Builder},
 * {@link SSDAnchorGenerator.Builder}) have in common: the strides of the levels and the order of
 * a cell's anchors. The subclass's {@code build()} validates them with its own parameters.
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
