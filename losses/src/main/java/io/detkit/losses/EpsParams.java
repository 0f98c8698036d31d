package io.detkit.losses;

import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.PositiveFloat32;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * The own parameter of the box losses that have no other ({@link GIoULoss}, {@link DIoULoss},
 * {@link CIoULoss}), checked here once for their {@code fromConfig} and builders.
 *
 * @param eps the overlap's eps (where it enters is each loss's), {@code > 0} and finite in float32
 */
@RecordBuilder
public record EpsParams(@PositiveFloat32 double eps) implements EpsParamsBuilder.With {
  /** MMDetection's default, {@code eps=1e-6}. */
  public static final EpsParams DEFAULTS = new EpsParams(1e-6);

  /**
   * @throws IllegalArgumentException {@code "eps must be positive and representable in float32
   *     (1.4E-45 to 3.4028235E38); got 0.0"}
   */
  public EpsParams {
    ParamChecks.check(EpsParams.class, eps);
  }
}
