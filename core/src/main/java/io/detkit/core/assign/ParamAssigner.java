package io.detkit.core.assign;

import io.detkit.core.tensor.Tensors;

/**
 * An assigner whose parameters are one immutable record, validated in its constructor and filled
 * by the assigner's {@code fromConfig} or by the caller ({@code Params.of(...)} and the record's
 * withers): the assigners' counterpart of the losses' {@code ParamLoss}, so the record is held and
 * handed back in one place.
 *
 * @param <P> the assigner's parameter record
 */
public abstract class ParamAssigner<P extends Record> implements BaseAssigner {
  private final P params;

  /**
   * An assigner with {@code params}.
   *
   * @throws IllegalArgumentException if {@code params} is null
   */
  protected ParamAssigner(P params) {
    this.params = Tensors.requireNonNull(params, "params");
  }

  /** The parameters, as built by {@code fromConfig} or given to the constructor. Any thread. */
  public final P params() {
    return params;
  }
}
