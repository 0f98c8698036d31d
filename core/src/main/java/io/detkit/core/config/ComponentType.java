package io.detkit.core.config;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The descriptor of one component type (a loss, a sampler): its registry name and the one way an
 * instance is made, written once per type as a constant of the component's class
 * ({@code FocalLoss.TYPE}, {@code RandomSampler.TYPE}). Every entry point goes through it:
 * {@link #fromConfig} (the registry's factory, so {@code Registry.register(TYPE)} registers a
 * type), {@link #builder(Object)} for Java code, and {@link #create} (the component's public
 * constructor).
 *
 * <p>A component's parameters come in two immutable values, each a record checked in its
 * constructor: the options every component of its kind shares ({@code O}: losses'
 * {@code LossOptions}, samplers' {@code SamplerParams}) and the type's own parameters ({@code P}:
 * each type's {@code Params} record, {@link Void} for a type with only the shared options). Both
 * are edited in the {@link Builder} with the withers record-builder generates from the records'
 * components ({@code options(o -> o.withLossWeight(2))}, {@code params(p -> p.withGamma(3))}), so
 * no parameter is declared, defaulted or checked twice; from a config dict both are read by a
 * {@link RecordBinder} over the record (each component from its snake_case key, a missing key from
 * the record's defaults), so no reader is written per type either. A kind's subclass
 * ({@code LossType}, {@code SamplerType}) binds how its shared options are read and where its
 * builders start.
 *
 * <p>Immutable and thread-safe; a builder is not.
 *
 * @param <O> the options every component of the kind shares
 * @param <P> the type's own parameters ({@link Void} when it has none)
 * @param <C> the component built
 */
public abstract class ComponentType<O, P, C> {
  private final String name;
  private final Function<Config, O> readOptions;
  private final Function<Config, P> readParams;
  private final P defaults;
  private final BiFunction<O, P, C> factory;

  /**
   * A type named {@code name} whose components {@code factory} makes from the shared options and
   * the own parameters.
   *
   * @param readOptions reads the shared options from a config dict
   * @param readParams reads the own parameters from a config dict; null for a type that has none
   * @param defaults the own parameters a builder starts from; null for a type that has none, or
   *     whose parameters have no defaults (the builder then needs {@link Builder#params(Object)})
   * @throws NullPointerException if {@code name}, {@code readOptions} or {@code factory} is null
   * @throws IllegalArgumentException if {@code name} is blank, or {@code defaults} are given
   *     without {@code readParams}
   */
  protected ComponentType(String name, Function<Config, O> readOptions, Function<Config, P> readParams, P defaults,
      BiFunction<O, P, C> factory) {
    this.name = Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must be a non-empty type name; got '" + name + "'");
    }
    if (defaults != null && readParams == null) {
      throw new IllegalArgumentException(name + ": defaults given for a type without own parameters");
    }
    this.readOptions = Objects.requireNonNull(readOptions, "readOptions");
    this.readParams = readParams;
    this.defaults = defaults;
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * The type name of component class {@code type}: its simple name, as MMDetection registers a
   * component under its class name. The one rule behind every kind's {@code X.TYPE.name()} (and a
   * loss's {@code type()}), so no type repeats its name as a string.
   *
   * @throws IllegalArgumentException for an anonymous class, which has no name to register
   */
  public static String typeNameOf(Class<?> type) {
    String name = Objects.requireNonNull(type, "type").getSimpleName();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a component needs a named class (its type name); got anonymous "
          + type.getName());
    }
    return name;
  }

  /** The registry name, MMDetection's type name (e.g. {@code FocalLoss}). */
  public final String name() {
    return name;
  }

  /** Whether the type has parameters of its own beyond the shared options. */
  public final boolean hasParams() {
    return readParams != null;
  }

  /** The own parameters a builder starts from; empty for a type without own parameters or defaults. */
  public final Optional<P> defaults() {
    return Optional.ofNullable(defaults);
  }

  /**
   * The component with {@code options} and {@code params} (null for a type without own
   * parameters); the same as its public constructor.
   *
   * @throws NullPointerException if {@code options} is null, or {@code params} is null for a type
   *     that has own parameters
   */
  public final C create(O options, P params) {
    Objects.requireNonNull(options, "options");
    if (hasParams()) {
      Objects.requireNonNull(params, "params");
    }
    return factory.apply(options, params);
  }

  /**
   * Builds from a config dict: the shared options, then the own parameters, then the component.
   * The registry's factory for this type.
   *
   * @throws ConfigException for a missing key or a value out of range, at the key's path
   */
  public final C fromConfig(Config c) {
    Objects.requireNonNull(c, "c");
    return configured(c, () -> create(readOptions.apply(c), readParams == null ? null : readParams.apply(c)));
  }

  /**
   * Runs {@code build} for {@link #fromConfig}: a parameter's range error, which names its config
   * key ({@link ParamChecks.BadParameter}), becomes a {@link ConfigException} at that key's path. A
   * kind overrides it to re-raise its other checks' errors too (calling this one inside).
   */
  protected C configured(Config c, Supplier<C> build) {
    try {
      return build.get();
    } catch (ParamChecks.BadParameter e) {
      throw ConfigException.at(c.pathOf(e.key()), e.getMessage());
    }
  }

  /** A builder starting from the shared {@code options} and the type's {@link #defaults()}. */
  public final Builder<O, P, C> builder(O options) {
    return new Builder<>(this, Objects.requireNonNull(options, "options"));
  }

  /** The name. */
  @Override
  public String toString() {
    return name;
  }

  /**
   * Builds one component of a {@link ComponentType}: edit the shared options and the own parameters
   * (each a record, through its generated withers), then {@link #build()}. The own parameters are
   * edited as every component's are ({@link ParamsBuilder#params(UnaryOperator)}, heads included);
   * each edit runs the record's constructor, so a bad value throws there, naming the parameter.
   * Mutable and not thread-safe.
   *
   * @param <O> the shared options
   * @param <P> the own parameters
   * @param <C> the component built
   */
  public static final class Builder<O, P, C> extends ParamsBuilder<P, Builder<O, P, C>> {
    private final ComponentType<O, P, C> type;
    private O options;

    private Builder(ComponentType<O, P, C> type, O options) {
      super(type.name, type.hasParams(), type.defaults);
      this.type = type;
      this.options = options;
    }

    /**
     * Replaces the shared options by {@code edit} applied to the current ones
     * ({@code o -> o.withLossWeight(2)}).
     *
     * @throws IllegalArgumentException from the record's constructor, naming a bad option
     * @throws NullPointerException if {@code edit} is null or returns null
     */
    public Builder<O, P, C> options(UnaryOperator<O> edit) {
      this.options = Objects.requireNonNull(Objects.requireNonNull(edit, "edit").apply(options), "options");
      return this;
    }

    /**
     * The component with these options and parameters.
     *
     * @throws IllegalStateException if the type's parameters have no defaults and none were given
     */
    public C build() {
      return type.create(options, requiredParams());
    }
  }
}
