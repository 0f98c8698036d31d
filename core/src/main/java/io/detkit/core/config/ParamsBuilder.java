package io.detkit.core.config;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The part every component builder shares (losses' {@code LossBuilder}, samplers'
 * {@code BaseSampler.Builder}): the component's own parameters, an immutable record validated in
 * its constructor, edited through {@link #params(UnaryOperator)} with the record's generated
 * withers ({@code p -> p.withGamma(3)}). A subclass adds the setters of the options its kind of
 * component shares and a {@code build()}.
 *
 * <p>Mutable and not thread-safe, like every builder.
 *
 * @param <P> the component's own parameters ({@link Void}, held as null, for a component with only
 *     the shared ones)
 * @param <B> the concrete builder, returned by {@link #params(UnaryOperator)} for chaining
 */
public abstract class ParamsBuilder<P, B extends ParamsBuilder<P, B>> {
  private final String noParams;
  private P params;

  /**
   * A builder whose own parameters start at {@code defaults}; null for a component with only the
   * shared options, whose {@link #params(UnaryOperator)} then throws with {@code noParams} as message.
   */
  protected ParamsBuilder(P defaults, String noParams) {
    this.params = defaults;
    this.noParams = Objects.requireNonNull(noParams, "noParams");
  }

  /**
   * Replaces the component's own parameters by {@code edit} applied to the current ones (the
   * defaults at first).
   *
   * @throws IllegalArgumentException from the record's constructor, naming a bad parameter
   * @throws NullPointerException if {@code edit} is null or returns null
   * @throws IllegalStateException for a component that has only the shared options
   */
  public final B params(UnaryOperator<P> edit) {
    if (params == null) {
      throw new IllegalStateException(noParams);
    }
    this.params = Objects.requireNonNull(Objects.requireNonNull(edit, "edit").apply(params), "params");
    return self();
  }

  /** The current own parameters (null for a component with only the shared options). */
  protected final P currentParams() {
    return params;
  }

  /** This builder as its concrete type. */
  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
