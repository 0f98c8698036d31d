package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CombinedSamplerTest {
  private static Config libra() {
    return Config.of(Map.of(
        "type", "CombinedSampler", "num", 512, "pos_fraction", 0.25, "add_gt_as_proposals", true,
        "pos_sampler", Map.of("type", "InstanceBalancedPosSampler"),
        "neg_sampler", Map.of("type", "IoUBalancedNegSampler", "floor_thr", -1, "floor_fraction", 0,
            "num_bins", 3)));
  }

  @Test
  void libraConfigBuildsSubSamplersWithTheCombinedDefaults() {
    CombinedSampler s = (CombinedSampler) Samplers.build(libra());
    assertThat(s.params().num()).isEqualTo(512);
    assertThat(s.posSampler()).isEqualTo(InstanceBalancedPosSampler.TYPE.builder(512, 0.25).build());
    assertThat(s.negSampler()).isEqualTo(IoUBalancedNegSampler.TYPE.builder(512, 0.25).build());
    CombinedSampler java = CombinedSampler.TYPE.builder(512, 0.25).params(new CombinedSampler.Params(
        InstanceBalancedPosSampler.TYPE.builder(512, 0.25).build(),
        IoUBalancedNegSampler.TYPE.builder(512, 0.25).build())).build();
    assertThat(s).isEqualTo(java).hasSameHashCodeAs(java);
  }

  @Test
  void keysASubDictSetsWin() {
    Config c = libra().with("pos_sampler", Map.of("type", "RandomSampler", "num", 64, "neg_pos_ub", 2));
    CombinedSampler s = (CombinedSampler) Samplers.build(c);
    assertThat(s.posSampler().params().num()).isEqualTo(64);
    assertThat(s.posSampler().params().negPosUb()).isEqualTo(2);
    assertThat(s.posSampler().params().posFraction()).isEqualTo(0.25);
    assertThat(s.params().negPosUb()).isEqualTo(-1);
  }

  @Test
  void samplesWithTheSubSamplersChoicesAndItsOwnCounts() {
    // Random positives from IoUBalancedNegSampler and random negatives from InstanceBalancedPosSampler:
    // exactly RandomSampler, draw for draw, under the combined sampler's counts.
    CombinedSampler swapped = CombinedSampler.TYPE.builder(64, 0.25).options(o -> o.withNegPosUb(2))
        .params(new CombinedSampler.Params(IoUBalancedNegSampler.TYPE.builder(1000, 1).build(),
            InstanceBalancedPosSampler.TYPE.builder(1000, 0).build())).build();
    RandomSampler random = RandomSampler.TYPE.builder(64, 0.25).options(o -> o.withNegPosUb(2)).build();
    int[] g = Fixtures.gtInds(3, 100, 300, 10);
    AssignResult a = Fixtures.assign(3, g);
    for (long seed = 0; seed < 5; seed++) {
      SamplingResult x = swapped.sample(a, Fixtures.boxes(g.length), Fixtures.gts(3), Fixtures.labels(3),
          new SplittableRandom(seed));
      SamplingResult y = random.sample(a, Fixtures.boxes(g.length), Fixtures.gts(3), Fixtures.labels(3),
          new SplittableRandom(seed));
      assertThat(x).isEqualTo(y);
      assertThat(x.posInds().length()).isEqualTo(16);
      assertThat(x.negInds().length()).isEqualTo(32);
    }
  }

  @Test
  void rejectsSubSamplersThatCannotChooseUnderABudget() {
    Config pseudo = libra().with("neg_sampler", Map.of("type", "PseudoSampler"));
    assertThatThrownBy(() -> Samplers.build(pseudo)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("neg_sampler").hasMessageContaining("under a budget");
    assertThatThrownBy(() -> Samplers.build(libra().without("pos_sampler"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("pos_sampler").hasMessageContaining("missing");
    assertThatThrownBy(() -> new CombinedSampler.Params(null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pos_sampler is required");
    assertThatThrownBy(() -> CombinedSampler.TYPE.builder(8, 0.5).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("CombinedSampler needs its parameters");
  }
}
