package io.detkit.samplers;

import io.detkit.core.config.ConfigField;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Positive;
import io.detkit.core.config.ParamChecks.UnitInterval;
import io.detkit.core.config.RecordBinder;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * The parameters every fixed-budget sampler ({@link BaseSampler}) shares, declared and checked
 * once: every {@link SamplerType}'s {@code fromConfig} and builder fill this record (the builder edits
 * it with the generated withers, {@code options(o -> o.withNegPosUb(3).withSeed(7))}). Immutable.
 *
 * @param num total number of samples per image, {@code > 0}
 * @param posFraction target fraction of positives, in {@code [0, 1]}
 * @param negPosUb upper bound on negatives per positive; -1 (MMDetection's default) means no bound
 * @param addGtAsProposals whether to prepend the gt boxes to the candidates (default true)
 * @param seed seed of the per-call generators of the convenience {@code sample} (default
 *     {@link Samplers#DEFAULT_SEED})
 */
@RecordBuilder
public record SamplerParams(@ConfigField(required = true) @Positive int num,
    @ConfigField(required = true) @UnitInterval double posFraction, double negPosUb, boolean addGtAsProposals,
    long seed) implements SamplerParamsBuilder.With {
  /** MMDetection's default {@code neg_pos_ub}: no bound. */
  public static final double NO_NEG_POS_UB = -1;

  /**
   * The ranges declared on the components ({@link ParamChecks}), then by hand {@code neg_pos_ub},
   * whose sentinel -1 ("no bound") sits outside its range.
   *
   * @throws IllegalArgumentException if {@code num <= 0}, {@code posFraction} is outside
   *     {@code [0, 1]} or {@code negPosUb < -1}
   */
  public SamplerParams {
    ParamChecks.check(SamplerParams.class, num, posFraction, negPosUb, addGtAsProposals, seed);
    if (!(negPosUb >= -1)) {
      throw new ParamChecks.BadParameter("neg_pos_ub", "neg_pos_ub must be >= -1 (-1 means no bound); got "
          + negPosUb);
    }
  }

  /**
   * {@code num} samples per image with {@code posFraction} positives and MMDetection's defaults for
   * the rest: {@code neg_pos_ub=-1}, {@code add_gt_as_proposals=True}, seed {@link Samplers#DEFAULT_SEED}.
   *
   * @throws IllegalArgumentException if {@code num <= 0} or {@code posFraction} is outside [0, 1]
   */
  public static SamplerParams of(int num, double posFraction) {
    return new SamplerParams(num, posFraction, NO_NEG_POS_UB, true, Samplers.DEFAULT_SEED);
  }

  /**
   * Reads {@code num}, {@code pos_fraction} (both required), {@code neg_pos_ub},
   * {@code add_gt_as_proposals} and {@code seed}, the others defaulting as {@link #of} does.
   */
  static final RecordBinder<SamplerParams> BINDER = RecordBinder.of(of(1, 0));
}
