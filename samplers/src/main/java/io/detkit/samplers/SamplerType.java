package io.detkit.samplers;

import io.detkit.core.config.ComponentType;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.RecordBinder;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The descriptor of one fixed-budget sampler type, each sampler's {@code TYPE} constant and the one
 * place its entry points are written: {@code RandomSampler.TYPE.fromConfig(cfg)} (the registry's
 * factory), {@code IoUBalancedNegSampler.TYPE.builder(512, 0.25).options(o -> o.withSeed(7))
 * .params(p -> p.withNumBins(5)).build()}, {@code RandomSampler.TYPE.name()}. A sampler of your own
 * declares its descriptor the same way and registers it with
 * {@code Samplers.REGISTRY.register(MySampler.TYPE)}:
 *
 * <pre>{@code
 * public static final SamplerType<Params, MySampler> TYPE = SamplerType.of(MySampler.class, Params.DEFAULTS, MySampler::new);
 * }</pre>
 * The type's name is the sampler class's simple name ({@link ComponentType#typeNameOf}, the rule
 * every component type follows); the parameters are read by a {@link RecordBinder} over the
 * {@code Params} record, whose components declare their ranges
 * ({@link io.detkit.core.config.ParamChecks}).
 *
 * <p>The shared parameters are {@link SamplerParams} ({@code num} and {@code pos_fraction}
 * required, so a builder starts from them); the sampler's own are its {@code Params} record. A
 * value out of range in a config becomes a {@link ConfigException} at the dict's path. Immutable
 * and thread-safe.
 *
 * @param <P> the sampler's own parameters ({@link Void} for a sampler with only the shared ones)
 * @param <S> the sampler
 */
public final class SamplerType<P, S extends BaseSampler> extends ComponentType<SamplerParams, P, S> {
  private SamplerType(String name, Function<Config, P> readParams, P defaults,
      BiFunction<SamplerParams, P, S> sampler) {
    super(name, SamplerParams.BINDER, readParams, defaults, sampler);
  }

  /**
   * The type of sampler class {@code type} with its own parameters: {@code readParams} reads them
   * from a config dict, a builder starts at {@code defaults} (null: the builder needs
   * {@code params(P)}), {@code sampler} is the sampler's constructor. For parameters that are not a
   * record of values (another sampler's config, as {@link CombinedSampler}'s).
   *
   * @throws NullPointerException if an argument other than {@code defaults} is null
   * @throws IllegalArgumentException if {@code type} has no simple name
   */
  public static <P, S extends BaseSampler> SamplerType<P, S> of(Class<S> type, P defaults,
      Function<Config, P> readParams, BiFunction<SamplerParams, P, S> sampler) {
    return new SamplerType<>(ComponentType.typeNameOf(type), Objects.requireNonNull(readParams, "readParams"),
        defaults, sampler);
  }

  /**
   * The type of sampler class {@code type}, whose own parameters, a record, are read from a config
   * dict by their components (each from its snake_case key) and default to {@code defaults};
   * {@code sampler} is the sampler's constructor. The declaration every built-in sampler with
   * parameters uses, as every loss does.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code type} has no simple name, or a component's type has no reader
   */
  public static <P extends Record, S extends BaseSampler> SamplerType<P, S> of(Class<S> type, P defaults,
      BiFunction<SamplerParams, P, S> sampler) {
    return of(type, Objects.requireNonNull(defaults, "defaults"), RecordBinder.of(defaults), sampler);
  }

  /**
   * The type of sampler class {@code type}, which has only the shared parameters, made by
   * {@code sampler}.
   *
   * @throws IllegalArgumentException if {@code type} has no simple name
   */
  public static <S extends BaseSampler> SamplerType<Void, S> of(Class<S> type, Function<SamplerParams, S> sampler) {
    Objects.requireNonNull(sampler, "sampler");
    return new SamplerType<>(ComponentType.typeNameOf(type), null, null, (params, none) -> sampler.apply(params));
  }

  /**
   * A builder for {@code num} samples per image with {@code posFraction} positives, the other
   * shared parameters at their defaults ({@link SamplerParams#of}) and the sampler's own at theirs.
   *
   * @throws IllegalArgumentException if {@code num <= 0} or {@code posFraction} is outside [0, 1]
   */
  public Builder<SamplerParams, P, S> builder(int num, double posFraction) {
    return builder(SamplerParams.of(num, posFraction));
  }

  /**
   * A parameter's range error becomes a {@link ConfigException} at its key's path (as for every
   * component type); any other value error (a cross-parameter rule, a sub-sampler's) at the dict's.
   */
  @Override
  protected S configured(Config c, Supplier<S> build) {
    return ConfigException.reraisedAt(c, build);
  }
}
