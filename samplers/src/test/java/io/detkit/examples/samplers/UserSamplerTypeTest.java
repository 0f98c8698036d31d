package io.detkit.examples.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import io.detkit.samplers.BaseSampler;
import io.detkit.samplers.Sampler;
import io.detkit.samplers.SamplerParams;
import io.detkit.samplers.SamplerType;
import io.detkit.samplers.SamplingContext;
import io.detkit.samplers.SamplingResult;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A user's sampler declared outside {@code io.detkit.samplers}: a {@link SamplerType} constant over
 * {@link BaseSampler}, registered by its descriptor, built from a config dict and from the builder.
 */
class UserSamplerTypeTest {
  /** Takes the lowest-index positives and negatives (deterministic, no draws). */
  static final class FirstSampler extends BaseSampler {
    static final SamplerType<Void, FirstSampler> TYPE = SamplerType.of(FirstSampler.class, FirstSampler::new);

    FirstSampler(SamplerParams params) {
      super(params);
    }

    @Override
    protected int[] samplePos(SamplingContext context, int numExpected) {
      int[] g = context.assignResult().gtInds();
      return IntStream.range(0, g.length).filter(i -> g[i] > 0).limit(numExpected).toArray();
    }

    @Override
    protected int[] sampleNeg(SamplingContext context, int numExpected) {
      int[] g = context.assignResult().gtInds();
      return IntStream.range(0, g.length).filter(i -> g[i] == 0).limit(numExpected).toArray();
    }
  }

  /**
   * A registry of the user's own, as {@code Samplers.REGISTRY} would hold the type after
   * {@code Samplers.REGISTRY.register(FirstSampler.TYPE)} (not done here: the global registry's
   * built-in list is pinned by another test in the same JVM).
   */
  private static final Registry<Sampler> REGISTRY = new Registry<Sampler>("sampler").register(FirstSampler.TYPE);

  private static SamplingResult sampleWith(BaseSampler s) {
    // Priors 1, 3, 6 positive; 0, 2, 5, 7 negative; 4 ignored.
    AssignResult a = new AssignResult(2, new int[] {0, 1, 0, 2, -1, 0, 1, 0}, new double[8], null);
    INDArray bboxes = Nd4j.rand(8, 4).muli(10);
    INDArray gts = Nd4j.rand(2, 4).muli(10);
    return s.sample(a, bboxes, gts, null);
  }

  @Test
  void aUserSamplerRegisteredByItsDescriptorSamplesWithTheSharedCounts() {
    BaseSampler s = (BaseSampler) REGISTRY.build(Config.of("type", "FirstSampler", "num", 4, "pos_fraction", 0.5,
        "add_gt_as_proposals", false));
    assertThat(s).isInstanceOf(FirstSampler.class);
    SamplingResult r = sampleWith(s);
    // int(4 * 0.5) = 2 positives, then 4 - 2 = 2 negatives, each the lowest indices.
    assertThat(r.posInds().toArray()).containsExactly(1, 3);
    assertThat(r.negInds().toArray()).containsExactly(0, 2);
  }

  @Test
  void theBuilderGivesTheConfiguredSampler() {
    BaseSampler built = FirstSampler.TYPE.builder(4, 0.5).options(o -> o.withAddGtAsProposals(false)).build();
    BaseSampler configured = FirstSampler.TYPE.fromConfig(Config.of("type", "FirstSampler", "num", 4,
        "pos_fraction", 0.5, "add_gt_as_proposals", false));
    assertThat(built).isEqualTo(configured);
    assertThat(sampleWith(built).posInds().toArray()).containsExactly(sampleWith(configured).posInds().toArray());
  }

  @Test
  void badSharedValuesAndUnknownKeysAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> REGISTRY.build(Config.of("type", "FirstSampler", "num", 4, "pos_fraction", 1.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pos_fraction");
    assertThatThrownBy(() -> REGISTRY.build(Config.of("type", "FirstSampler", "num", 4, "pos_fraction", 0.5,
        "pos_fractoin", 0.5))).isInstanceOf(ConfigException.class).hasMessageContaining("pos_fractoin");
  }
}
