package io.detkit.losses;

import io.detkit.core.config.ComponentType;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.RecordBinder;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The descriptor of one loss type, each loss's {@code TYPE} constant and the one place its entry
 * points are written: {@code FocalLoss.TYPE.fromConfig(cfg)} (the registry's factory),
 * {@code FocalLoss.TYPE.builder().options(o -> o.withLossWeight(2)).params(p -> p.withGamma(3)).build()},
 * {@code FocalLoss.TYPE.name()}. A loss of your own declares its descriptor the same way and
 * registers it with {@code Losses.REGISTRY.register(MyLoss.TYPE)}:
 *
 * <pre>{@code
 * public static final LossType<Params, MyLoss> TYPE =
 *     LossType.of("MyLoss", RecordBinder.of(Params.DEFAULTS), MyLoss::new);
 * }</pre>
 * where the {@link RecordBinder} reads each component of the {@code Params} record from its
 * snake_case key, defaulting to {@code Params.DEFAULTS}; no {@code fromConfig} is written.
 *
 * <p>The shared options are {@link LossOptions} (read from {@code reduction}, {@code loss_weight},
 * {@code check_finite}; the builder starts at {@link LossOptions#DEFAULTS}); the loss's own
 * parameters are its {@code Params} record. A parameter out of range in a config becomes a
 * {@link ConfigException} at its key's path. Immutable and thread-safe.
 *
 * @param <P> the loss's {@code Params} record ({@link Void} for a loss with only the shared options)
 * @param <L> the loss
 */
public final class LossType<P, L extends Loss> extends ComponentType<LossOptions, P, L> {
  private LossType(String name, Function<Config, P> readParams, P defaults, BiFunction<LossOptions, P, L> loss) {
    super(name, LossOptions.BINDER, readParams, defaults, loss);
  }

  /**
   * The type {@code name} of a loss with its own parameters: {@code readParams} reads them from a
   * config dict, a builder starts at {@code defaults}, {@code loss} is the loss's constructor.
   *
   * @throws NullPointerException if an argument is null
   */
  public static <P, L extends Loss> LossType<P, L> of(String name, P defaults, Function<Config, P> readParams,
      BiFunction<LossOptions, P, L> loss) {
    return new LossType<>(name, Objects.requireNonNull(readParams, "readParams"),
        Objects.requireNonNull(defaults, "defaults"), loss);
  }

  /**
   * The type {@code name} of a loss whose own parameters, a record, {@code params} reads from a
   * config dict (each component from its snake_case key); a builder starts at the binder's
   * defaults, {@code loss} is the loss's constructor.
   *
   * @throws NullPointerException if an argument is null, or the binder has no defaults
   */
  public static <P extends Record, L extends Loss> LossType<P, L> of(String name, RecordBinder<P> params,
      BiFunction<LossOptions, P, L> loss) {
    return of(name, Objects.requireNonNull(params, "params").defaults(), params, loss);
  }

  /** The type {@code name} of a loss with only the shared options, made by {@code loss}. */
  public static <L extends Loss> LossType<Void, L> of(String name, Function<LossOptions, L> loss) {
    Objects.requireNonNull(loss, "loss");
    return new LossType<>(name, null, null, (options, none) -> loss.apply(options));
  }

  /** A builder with MMDetection's defaults: {@link LossOptions#DEFAULTS} and the loss's own defaults. */
  public Builder<LossOptions, P, L> builder() {
    return builder(LossOptions.DEFAULTS);
  }

  /** A parameter's range error, which names its key, becomes a {@link ConfigException} at that key's path. */
  @Override
  protected L configured(Config c, Supplier<L> build) {
    try {
      return build.get();
    } catch (Checks.BadParameter e) {
      throw ConfigException.at(c.pathOf(e.key()), e.getMessage());
    }
  }
}
