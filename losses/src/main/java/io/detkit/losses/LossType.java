package io.detkit.losses;

import io.detkit.core.config.ComponentType;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.RecordBinder;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The descriptor of one loss type, each loss's {@code TYPE} constant and the one place its entry
 * points are written: {@code FocalLoss.TYPE.fromConfig(cfg)} (the registry's factory),
 * {@code FocalLoss.TYPE.builder().options(o -> o.withLossWeight(2)).params(p -> p.withGamma(3)).build()},
 * {@code FocalLoss.TYPE.name()}. A loss of your own declares its descriptor the same way and
 * registers it with {@code Losses.REGISTRY.register(MyLoss.TYPE)}:
 *
 * <pre>{@code
 * public static final LossType<Params, MyLoss> TYPE = LossType.of(MyLoss.class, Params.DEFAULTS, MyLoss::new);
 * }</pre>
 * The type's name is the loss class's simple name ({@link Loss#type()} gives the same, as
 * MMDetection registers a loss under its class name); the parameters are read by a
 * {@link RecordBinder} over the {@code Params} record, each component from its snake_case key,
 * defaulting to {@code Params.DEFAULTS}, so no {@code fromConfig} is written. A loss that
 * MMDetection implements for sigmoid scores only adds {@link #sigmoidOnly}; a config-only key is a
 * {@link RecordBinder#then} step given to {@link #of(Class, RecordBinder, BiFunction)}.
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
  private final Function<Config, P> readParams;
  private final BiFunction<LossOptions, P, L> loss;

  private LossType(String name, Function<Config, P> readParams, P defaults, BiFunction<LossOptions, P, L> loss) {
    super(name, LossOptions.BINDER, readParams, defaults, loss);
    this.readParams = readParams;
    this.loss = loss;
  }

  /**
   * The type of loss class {@code type}, whose own parameters, a record, are read from a config
   * dict by their components and default to {@code defaults}; {@code loss} is the loss's
   * constructor.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code type} has no simple name, or a component's type has no reader
   */
  public static <P extends Record, L extends Loss> LossType<P, L> of(Class<L> type, P defaults,
      BiFunction<LossOptions, P, L> loss) {
    return of(type, RecordBinder.of(defaults), loss);
  }

  /**
   * The type of loss class {@code type} whose own parameters {@code params} reads from a config
   * dict (a binder with config-only steps, {@link RecordBinder#then}); a builder starts at the
   * binder's defaults, {@code loss} is the loss's constructor.
   *
   * @throws NullPointerException if an argument is null, or the binder has no defaults
   * @throws IllegalArgumentException if {@code type} has no simple name
   */
  public static <P extends Record, L extends Loss> LossType<P, L> of(Class<L> type, RecordBinder<P> params,
      BiFunction<LossOptions, P, L> loss) {
    Objects.requireNonNull(params, "params");
    return new LossType<>(ComponentType.typeNameOf(type), params, Objects.requireNonNull(params.defaults(), "defaults"),
        Objects.requireNonNull(loss, "loss"));
  }

  /**
   * The type of loss class {@code type}, which has only the shared options, made by {@code loss}.
   *
   * @throws IllegalArgumentException if {@code type} has no simple name
   */
  public static <L extends Loss> LossType<Void, L> of(Class<L> type, Function<LossOptions, L> loss) {
    Objects.requireNonNull(loss, "loss");
    return new LossType<>(ComponentType.typeNameOf(type), null, null, (options, none) -> loss.apply(options));
  }

  /**
   * This type, refusing a config whose {@code use_sigmoid} (default True) is False: MMDetection
   * implements the loss for sigmoid scores only, so the softmax form is refused rather than
   * silently ignored. A {@link RecordBinder#then} step of the parameters' binding, read after them
   * as a config-only key and refused at its path like every other config error
   * ({@code "loss_cls.use_sigmoid: FocalLoss: use_sigmoid must be True ...; got False"}).
   *
   * @throws IllegalStateException for a type without own parameters
   */
  public LossType<P, L> sigmoidOnly() {
    if (!(readParams instanceof RecordBinder<?> binder)) {
      throw new IllegalStateException(name() + ": sigmoidOnly needs a type with own parameters");
    }
    @SuppressWarnings("unchecked")
    Function<Config, P> checked = (Function<Config, P>) requiringSigmoid(binder, name());
    return new LossType<>(name(), checked, defaults().orElseThrow(), loss);
  }

  /** {@code binder} followed by the refusal of {@code use_sigmoid=False} for loss type {@code name}. */
  private static <R extends Record> RecordBinder<R> requiringSigmoid(RecordBinder<R> binder, String name) {
    return binder.then((c, params) -> {
      if (!c.getBoolean("use_sigmoid", true)) {
        throw ConfigException.at(c.pathOf("use_sigmoid"), name + ": use_sigmoid must be True (MMDetection implements "
            + name + " for sigmoid scores only); got False");
      }
      return params;
    });
  }

  /** A builder with MMDetection's defaults: {@link LossOptions#DEFAULTS} and the loss's own defaults. */
  public Builder<LossOptions, P, L> builder() {
    return builder(LossOptions.DEFAULTS);
  }
}
