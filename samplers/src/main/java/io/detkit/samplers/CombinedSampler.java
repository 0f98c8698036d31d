package io.detkit.samplers;

import com.google.common.base.Preconditions;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.List;

/**
 * MMDetection's {@code CombinedSampler}: positives chosen the way one sampler chooses them and
 * negatives the way another does, with this sampler's own counting parameters ({@code num},
 * {@code pos_fraction}, {@code neg_pos_ub}, {@code add_gt_as_proposals}). Only the sub-samplers'
 * {@code samplePos} / {@code sampleNeg} choices are used, never their counting parameters; both
 * draw from the generator of the combined call.
 *
 * <p>Config, as in Libra R-CNN:
 *
 * <pre>{@code
 * dict(type='CombinedSampler', num=512, pos_fraction=0.25, add_gt_as_proposals=True,
 *      pos_sampler=dict(type='InstanceBalancedPosSampler'),
 *      neg_sampler=dict(type='IoUBalancedNegSampler', floor_thr=-1, floor_fraction=0, num_bins=3))
 * }</pre>
 *
 * <p>The combined dict's {@code num}, {@code pos_fraction}, {@code neg_pos_ub},
 * {@code add_gt_as_proposals} and {@code seed} fill in keys the sub-dicts leave out, as
 * MMDetection's {@code build_sampler(cfg, **kwargs)} does; keys a sub-dict sets win.
 */
public final class CombinedSampler extends BaseSampler {
  /**
   * The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder(num, posFraction).params(new
   * CombinedSampler.Params(pos, neg))}, the registry's entry.
   */
  public static final SamplerType<Params, CombinedSampler> TYPE =
      SamplerType.of(CombinedSampler.class, null, Params::fromConfig, CombinedSampler::new);

  private static final List<String> INHERITED =
      List.of("num", "pos_fraction", "neg_pos_ub", "add_gt_as_proposals", "seed");

  private final BaseSampler posSampler;
  private final BaseSampler negSampler;

  /**
   * The two samplers whose choices are combined; no defaults (a builder needs {@code params(P)}).
   *
   * @param posSampler the sampler whose positive choice is used
   * @param negSampler the sampler whose negative choice is used
   */
  public record Params(BaseSampler posSampler, BaseSampler negSampler) {
    /** @throws IllegalArgumentException if either sampler is null */
    public Params {
      Preconditions.checkArgument(posSampler != null, "pos_sampler is required");
      Preconditions.checkArgument(negSampler != null, "neg_sampler is required");
    }

    /** The {@code pos_sampler} and {@code neg_sampler} dicts, completed with the combined dict's keys. */
    static Params fromConfig(Config c) {
      return new Params(buildSub(c, "pos_sampler"), buildSub(c, "neg_sampler"));
    }
  }

  /** A sampler with the shared {@code params} combining the choices of {@code samplers}. */
  public CombinedSampler(SamplerParams params, Params samplers) {
    super(params);
    this.posSampler = samplers.posSampler();
    this.negSampler = samplers.negSampler();
  }

  private static BaseSampler buildSub(Config c, String key) {
    Config sub = c.getConfig(key);
    Config merged = sub;
    for (String k : INHERITED) {
      if (c.has(k) && !sub.has(k)) {
        merged = merged.with(k, c.get(k));
      }
    }
    Sampler s;
    try {
      s = Samplers.REGISTRY.build(merged);
    } catch (ConfigException e) {
      // A sampler without a budget (PseudoSampler) rejects the inherited keys; say what is wrong instead.
      Sampler bare;
      try {
        bare = Samplers.REGISTRY.build(sub);
      } catch (ConfigException ignored) {
        throw e;
      }
      throw bare instanceof BaseSampler ? e : notBudgeted(c, key, bare);
    }
    if (!(s instanceof BaseSampler base)) {
      throw notBudgeted(c, key, s);
    }
    return base;
  }

  private static ConfigException notBudgeted(Config c, String key, Sampler s) {
    return ConfigException.at(c.pathOf(key), "must be a sampler that chooses indices under a budget"
        + " (RandomSampler, InstanceBalancedPosSampler, IoUBalancedNegSampler, OHEMSampler); got " + s);
  }

  /** The sampler whose positive choice is used. */
  public BaseSampler posSampler() {
    return posSampler;
  }

  /** The sampler whose negative choice is used. */
  public BaseSampler negSampler() {
    return negSampler;
  }

  @Override
  protected int[] samplePos(SamplingContext context, int numExpected) {
    return posSampler.samplePos(context, numExpected);
  }

  @Override
  protected int[] sampleNeg(SamplingContext context, int numExpected) {
    return negSampler.sampleNeg(context, numExpected);
  }

  @Override
  protected Object ownParams() {
    return List.of(posSampler, negSampler);
  }

  @Override
  protected String describeOwnParams() {
    return ", pos_sampler=" + posSampler + ", neg_sampler=" + negSampler;
  }
}
