package io.detkit.core.config;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The one builder mechanism of every component (losses' and samplers' {@link ComponentType.Builder},
 * heads' {@code HeadBuilder}): the component's own parameters, an immutable record validated in
 * its constructor, edited through {@link #params(UnaryOperator)} with the record's generated
 * withers ({@code p -> p.withGamma(3)}) or replaced whole with {@link #params(Object)}. A subclass
 * adds what its kind shares (the shared options of a loss or sampler, a head's extra losses) and a
 * {@code build()}.
 *
 * <p>Mutable and not thread-safe, like every builder.
 *
 * @param <P> the component's own parameters ({@link Void}, held as null, for a component with only
 *     the shared ones)
 * @param <B> the concrete builder, returned by the edits for chaining
 */
public abstract class ParamsBuilder<P, B extends ParamsBuilder<P, B>> {
  private final String owner;
  private final boolean hasParams;
  private P params;

  /**
   * A builder of component {@code owner} (its type name, for messages) whose own parameters start
   * at {@code defaults}.
   *
   * @param hasParams false for a component with only the shared options: the params edits then throw
   * @param defaults the parameters edits start from; null when there are none (the builder then
   *     needs {@link #params(Object)} first)
   */
  protected ParamsBuilder(String owner, boolean hasParams, P defaults) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.hasParams = hasParams;
    this.params = defaults;
  }

  /**
   * Replaces the component's own parameters by {@code edit} applied to the current ones (the
   * defaults at first).
   *
   * @throws IllegalArgumentException from the record's constructor, naming a bad parameter
   * @throws NullPointerException if {@code edit} is null or returns null
   * @throws IllegalStateException for a component that has only the shared options, or whose
   *     parameters have no defaults and none were given yet
   */
  public final B params(UnaryOperator<P> edit) {
    requireParams();
    if (params == null) {
      throw new IllegalStateException(owner + " has no default parameters to edit; give them with params("
          + owner + ".Params)");
    }
    this.params = Objects.requireNonNull(Objects.requireNonNull(edit, "edit").apply(params), "params");
    return self();
  }

  /**
   * Sets the component's own parameters whole (for a component whose parameters have no defaults).
   *
   * @throws NullPointerException if {@code params} is null
   * @throws IllegalStateException for a component that has only the shared options
   */
  public final B params(P params) {
    requireParams();
    this.params = Objects.requireNonNull(params, "params");
    return self();
  }

  private void requireParams() {
    if (!hasParams) {
      throw new IllegalStateException(owner + " has only the shared options");
    }
  }

  /** The current own parameters (null for a component with only the shared options). */
  protected final P currentParams() {
    return params;
  }

  /**
   * The current own parameters, for {@code build()}.
   *
   * @throws IllegalStateException if the component has parameters and none were given (no defaults)
   */
  protected final P requiredParams() {
    if (hasParams && params == null) {
      throw new IllegalStateException(owner + " needs its parameters: params(" + owner + ".Params)");
    }
    return params;
  }

  /**
   * This builder as its concrete type: safe because {@code B} is by contract the class that extends
   * {@code ParamsBuilder<P, B>} (the self type).
   */
  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }
}
