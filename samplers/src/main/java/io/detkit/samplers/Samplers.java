package io.detkit.samplers;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import java.util.List;

/**
 * The sampler registry (kind {@code "sampler"}), MMDetection's {@code BBOX_SAMPLERS}, and the seed
 * conventions of detkit's samplers.
 *
 * <p>Registered types and their config keys (MMDetection's, plus detkit's optional {@code seed}):
 *
 * <ul>
 *   <li>{@code PseudoSampler}: none;
 *   <li>{@code RandomSampler}: {@code num}, {@code pos_fraction}, {@code neg_pos_ub=-1},
 *       {@code add_gt_as_proposals=True}, {@code seed};
 *   <li>{@code InstanceBalancedPosSampler}: as RandomSampler;
 *   <li>{@code IoUBalancedNegSampler}: as RandomSampler plus {@code floor_thr=-1},
 *       {@code floor_fraction=0}, {@code num_bins=3};
 *   <li>{@code OHEMSampler}: {@code num}, {@code pos_fraction}, {@code neg_pos_ub=-1},
 *       {@code add_gt_as_proposals=True}; the hard-example loss is attached in Java
 *       ({@link OHEMSampler#withLoss}) because MMDetection's {@code context} is a live RoI head;
 *   <li>{@code CombinedSampler}: {@code pos_sampler}, {@code neg_sampler} (dicts), plus the
 *       RandomSampler keys, which also fill in the sub-samplers' missing keys as MMDetection's
 *       {@code build_sampler(cfg, **kwargs)} does.
 * </ul>
 *
 * <p>Unknown keys are rejected (see {@link Registry}). Invalid values raise {@link ConfigException}
 * (an {@link IllegalArgumentException}) whose message names the key and the dict's path.
 */
public final class Samplers {
  /**
   * The seed a sampler uses when none is configured: 0. Fixed so that two runs of the same
   * program sample alike; configure {@code seed} (or pass a generator) to vary it.
   */
  public static final long DEFAULT_SEED = 0L;

  /** Builds samplers from MMDetection config dicts by their {@code type}. */
  public static final Registry<Sampler> REGISTRY = new Registry<>("sampler");

  /** The built-in fixed-budget sampler types, each registered under its name (with PseudoSampler). */
  public static final List<SamplerType<?, ?>> BUILT_IN = List.of(RandomSampler.TYPE, InstanceBalancedPosSampler.TYPE,
      IoUBalancedNegSampler.TYPE, OHEMSampler.TYPE, CombinedSampler.TYPE);

  static {
    // The one sampler without a budget has no parameters: every config gives the same instance.
    REGISTRY.register("PseudoSampler", c -> PseudoSampler.INSTANCE);
    BUILT_IN.forEach(REGISTRY::register);
  }

  private Samplers() {}

  /**
   * Builds the sampler {@code config} describes, e.g.
   * {@code dict(type='RandomSampler', num=256, pos_fraction=0.5, neg_pos_ub=-1, add_gt_as_proposals=False)}.
   *
   * @throws ConfigException if the type or a key is unknown, a required key is missing, or a value
   *     is invalid
   */
  public static Sampler build(Config config) {
    return REGISTRY.build(config);
  }
}
