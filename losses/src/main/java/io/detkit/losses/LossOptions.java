package io.detkit.losses;

import com.google.common.base.Preconditions;
import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Finite;
import io.detkit.core.config.RecordBinder;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * The options every loss shares, declared and checked once: {@code reduction} ('none' | 'mean' |
 * 'sum', default 'mean'), {@code loss_weight} (default 1.0, must be finite) and detkit's
 * {@code check_finite} (default False). A loss receives them with its own parameters (each loss's
 * {@code Params} record); {@link #fromConfig} reads them from a config dict and a loss's
 * builder ({@link LossType#builder()}) edits them with the generated withers
 * ({@code options(o -> o.withLossWeight(2))}). Immutable.
 *
 * @param reduction how the element-wise loss is reduced (a call's override wins)
 * @param lossWeight the scale applied after reduction
 * @param checkFinite whether a non-finite input, value or gradient throws {@link NonFiniteLossException}
 */
@RecordBuilder
public record LossOptions(Reduction reduction, @Finite double lossWeight, boolean checkFinite)
    implements LossOptionsBuilder.With {
  /** MMDetection's defaults: {@code reduction='mean', loss_weight=1.0}, no finiteness check. */
  public static final LossOptions DEFAULTS = new LossOptions(Reduction.MEAN, 1.0, false);

  /**
   * @throws NullPointerException if {@code reduction} is null
   * @throws IllegalArgumentException {@code "loss_weight must be finite; got Infinity"}
   */
  public LossOptions {
    Preconditions.checkNotNull(reduction, "reduction");
    ParamChecks.check(LossOptions.class, reduction, lossWeight, checkFinite);
  }

  /** Reads the options from their keys, defaulting to {@link #DEFAULTS}. */
  static final RecordBinder<LossOptions> BINDER = RecordBinder.of(DEFAULTS);

  /**
   * Reads {@code reduction}, {@code loss_weight} and {@code check_finite} from {@code c}.
   *
   * @throws io.detkit.core.config.ConfigException for a value of the wrong type or an unknown
   *     reduction, at the key's path
   * @throws IllegalArgumentException for a non-finite loss_weight
   */
  public static LossOptions fromConfig(Config c) {
    return BINDER.apply(c);
  }
}
