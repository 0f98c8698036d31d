package io.detkit.samplers;

import io.detkit.core.config.Config;

/**
 * The parameters every fixed-budget sampler ({@link BaseSampler}) shares, declared and checked
 * once: {@link BaseSampler}'s {@code fromConfig} factories and its builders both fill this record.
 * Immutable.
 *
 * @param num total number of samples per image, {@code > 0}
 * @param posFraction target fraction of positives, in {@code [0, 1]}
 * @param negPosUb upper bound on negatives per positive; -1 (MMDetection's default) means no bound
 * @param addGtAsProposals whether to prepend the gt boxes to the candidates (default true)
 * @param seed seed of the per-call generators of the convenience {@code sample} (default
 *     {@link Samplers#DEFAULT_SEED})
 */
public record SamplerParams(int num, double posFraction, double negPosUb, boolean addGtAsProposals, long seed) {
  /** MMDetection's default {@code neg_pos_ub}: no bound. */
  public static final double NO_NEG_POS_UB = -1;

  /**
   * @throws IllegalArgumentException if {@code num <= 0}, {@code posFraction} is outside
   *     {@code [0, 1]} or {@code negPosUb < -1}
   */
  public SamplerParams {
    if (num <= 0) {
      throw new IllegalArgumentException("num must be > 0 (samples per image); got " + num);
    }
    if (!(posFraction >= 0 && posFraction <= 1)) {
      throw new IllegalArgumentException("pos_fraction must be in [0, 1]; got " + posFraction);
    }
    if (!(negPosUb >= -1)) {
      throw new IllegalArgumentException("neg_pos_ub must be >= -1 (-1 means no bound); got " + negPosUb);
    }
  }

  /**
   * Reads {@code num}, {@code pos_fraction} (both required), {@code neg_pos_ub},
   * {@code add_gt_as_proposals} and {@code seed}.
   *
   * @throws IllegalArgumentException if a required key is missing or a value is out of range
   */
  static SamplerParams fromConfig(Config c) {
    return new SamplerParams(c.getInt("num"), c.getDouble("pos_fraction"), c.getDouble("neg_pos_ub", NO_NEG_POS_UB),
        c.getBoolean("add_gt_as_proposals", true), c.getLong("seed", Samplers.DEFAULT_SEED));
  }
}
