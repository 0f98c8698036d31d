package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplersRegistryTest {
  @Test
  void seedSnippetSamplerDictBuildsAndSamples() {
    Config cfg = Config.of("type", "RandomSampler", "num", 256, "pos_fraction", 0.5, "neg_pos_ub", -1,
        "add_gt_as_proposals", false);
    Sampler s = Samplers.build(cfg);
    assertThat(s).isEqualTo(RandomSampler.TYPE.builder(256, 0.5)
        .options(o -> o.withNegPosUb(-1).withAddGtAsProposals(false)).build());
    int[] g = Fixtures.gtInds(3, 300, 600, 40);
    SamplingResult r = s.sample(Fixtures.assign(3, g), Fixtures.boxes(g.length), Fixtures.gts(3), Fixtures.labels(3));
    assertThat(r.posInds().length()).isEqualTo(128);
    assertThat(r.negInds().length()).isEqualTo(128);
    assertThat(r.numBboxes()).isEqualTo(g.length);
  }

  @Test
  void registersEveryMmdetectionSampler() {
    assertThat(Samplers.REGISTRY.kind()).isEqualTo("sampler");
    assertThat(Samplers.REGISTRY.types()).containsExactly("CombinedSampler", "InstanceBalancedPosSampler",
        "IoUBalancedNegSampler", "OHEMSampler", "PseudoSampler", "RandomSampler");
  }

  @Test
  void configsAndBuildersGiveEqualSamplers() {
    assertThat(Samplers.build(Config.of("type", "PseudoSampler"))).isSameAs(PseudoSampler.INSTANCE);
    assertThat(Samplers.build(Config.of("type", "IoUBalancedNegSampler", "num", 512, "pos_fraction", 0.25,
        "floor_thr", 0.1, "floor_fraction", 0.5, "num_bins", 2, "seed", 9)))
        .isEqualTo(IoUBalancedNegSampler.TYPE.builder(512, 0.25)
            .params(p -> p.withFloorThr(0.1).withFloorFraction(0.5).withNumBins(2)).options(o -> o.withSeed(9))
                .build());
    assertThat(Samplers.build(Config.of("type", "IoUBalancedNegSampler", "num", 512, "pos_fraction", 0.25)))
        .isEqualTo(IoUBalancedNegSampler.TYPE.builder(512, 0.25)
            .params(p -> p.withFloorThr(-1).withFloorFraction(0).withNumBins(3)).build());
    assertThat(Samplers.build(Config.of("type", "InstanceBalancedPosSampler", "num", 512, "pos_fraction", 0.25,
        "neg_pos_ub", 3, "add_gt_as_proposals", false)))
        .isEqualTo(InstanceBalancedPosSampler.TYPE.builder(512, 0.25)
            .options(o -> o.withNegPosUb(3).withAddGtAsProposals(false)).build());
    assertThat(Samplers.build(Config.of("type", "OHEMSampler", "num", 512, "pos_fraction", 0.25)))
        .isEqualTo(OHEMSampler.TYPE.builder(512, 0.25).build());
    assertThat(((BaseSampler) Samplers.build(Config.of("type", "RandomSampler", "num", 8, "pos_fraction", 1)))
        .params().seed()).isEqualTo(Samplers.DEFAULT_SEED);
  }

  @Test
  void unknownParametersAreRejectedNamingTheClosestKey() {
    Config typo = Config.of("type", "RandomSampler", "num", 256, "pos_fracton", 0.5);
    assertThatThrownBy(() -> Samplers.build(typo)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("pos_fraction");
    Config extra = Config.of("type", "RandomSampler", "num", 256, "pos_fraction", 0.5, "gamma", 2.0);
    assertThatThrownBy(() -> Samplers.build(extra)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter 'gamma'");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "PseudoSampler", "num", 3)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'num'");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "RandomSamplr")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'RandomSampler'");
  }

  @Test
  void invalidValuesNameTheKeyAndThePath() {
    Config nested = Config.of(Map.of("train_cfg", Map.of("sampler",
        Map.of("type", "RandomSampler", "num", 256, "pos_fraction", 1.5)))).getConfig("train_cfg")
        .getConfig("sampler");
    assertThatThrownBy(() -> Samplers.build(nested)).isInstanceOf(ConfigException.class)
        .hasMessage("train_cfg.sampler.pos_fraction: pos_fraction must be in [0, 1]; got 1.5");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "RandomSampler", "pos_fraction", 0.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num").hasMessageContaining("missing");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "RandomSampler", "num", 256.0, "pos_fraction", 0.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num").hasMessageContaining("integer");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "RandomSampler", "num", -4, "pos_fraction", 0.5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num must be > 0").hasMessageContaining("got -4");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "RandomSampler", "num", 4, "pos_fraction", 0.5,
        "neg_pos_ub", -3))).isInstanceOf(ConfigException.class).hasMessageContaining("neg_pos_ub");
    assertThatThrownBy(() -> Samplers.build(Config.of("type", "IoUBalancedNegSampler", "num", 4,
        "pos_fraction", 0.5, "num_bins", 0))).isInstanceOf(ConfigException.class).hasMessageContaining("num_bins");
  }

  @Test
  void samplersPrintLikeTheirConfigs() {
    assertThat(Samplers.build(Config.of("type", "IoUBalancedNegSampler", "num", 512, "pos_fraction", 0.25))
        .toString()).isEqualTo("IoUBalancedNegSampler(num=512, pos_fraction=0.25, neg_pos_ub=-1,"
            + " add_gt_as_proposals=True, seed=0, floor_thr=-1, floor_fraction=0, num_bins=3)");
    assertThat(PseudoSampler.INSTANCE.toString()).isEqualTo("PseudoSampler()");
  }
}
