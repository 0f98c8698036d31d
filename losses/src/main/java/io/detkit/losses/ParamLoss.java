package io.detkit.losses;

import java.util.Objects;

/**
 * A loss with parameters of its own beyond the shared {@link LossOptions}: it holds them as one
 * immutable, validated value (the loss's {@code Params} record) and gives them back through
 * {@link #params()}, so a loss writes neither the field nor the getter. The base of every
 * built-in loss that has a {@code Params} record, and the one to extend for a custom loss of that
 * kind (construction idiom in {@link Loss}).
 *
 * @param <P> the loss's own parameters, a record checked in its constructor
 */
public abstract class ParamLoss<P extends Record> extends Loss {
  private final P params;

  /**
   * A loss with the shared {@code options} and its own {@code params}; its type name is its
   * class's simple name.
   *
   * @throws NullPointerException if an argument is null
   */
  protected ParamLoss(LossOptions options, P params) {
    super(options);
    this.params = Objects.requireNonNull(params, "params");
  }

  /** The loss's own parameters, as built by {@code fromConfig} or the builder. Any thread. */
  public final P params() {
    return params;
  }
}
