package io.detkit.core.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.PyTuple;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriorGeneratorsConfigTest {
  @Test
  void configAndBuilderGiveTheSameAnchors() {
    PriorGenerator fromConfig = CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "octave_base_scale", 4,
        "scales_per_octave", 3, "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(8, 16, 32, 64, 128)));
    AnchorGenerator built = new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(8, 16, 32, 64, 128),
        new double[] {0.5, 1, 2}, 4, 3));
    assertThat(fromConfig).isInstanceOf(AnchorGenerator.class);
    for (int l = 0; l < 5; l++) {
      assertThat(((AnchorGenerator) fromConfig).baseAnchorsFlat(l)).containsExactly(built.baseAnchorsFlat(l));
    }
    assertThat(fromConfig.toString()).contains("AnchorGenerator(strides=[(8, 8), (16, 16)");
  }

  @Test
  void stridesMayBeWidthHeightPairs() {
    AnchorGenerator gen = (AnchorGenerator) CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator",
        "strides", List.of(PyTuple.of(List.of(8, 4)), 16), "ratios", List.of(1.0), "scales", List.of(1)));
    assertThat(gen.strides()).containsExactly(Stride.of(8, 4), Stride.of(16));
    assertThat(gen.baseSizes()).containsExactly(4, 16);
  }

  @Test
  void unknownParameterIsRejectedByTheRegistry() {
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "strides", List.of(8),
        "ratio", List.of(1.0), "ratios", List.of(1.0), "scales", List.of(1))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter 'ratio' for prior generator type 'AnchorGenerator'")
        .hasMessageContaining("accepted: ratios");
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerater")))
        .hasMessageContaining("unknown prior generator type 'AnchorGenerater'; did you mean 'AnchorGenerator'?");
  }

  @Test
  void scalesWithOctaveBaseScaleIsAnErrorNamingBoth() {
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "strides", List.of(8),
        "ratios", List.of(1.0), "scales", List.of(8), "octave_base_scale", 4, "scales_per_octave", 3)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("scales: ")
        .hasMessageContaining("scales and octave_base_scale with scales_per_octave cannot be set at the same time");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "strides",
        List.of(8, "16"), "ratios", List.of(1.0), "scales", List.of(1))))
        .hasMessageContaining("strides[1]: expected a number or a (w, h) pair, got '16'");
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "strides",
        List.of(8, -16), "ratios", List.of(1.0), "scales", List.of(1))))
        .hasMessageContaining("strides[1]").hasMessageContaining("positive");
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "strides", List.of(8),
        "ratios", List.of(1.0), "octave_base_scale", 4)))
        .hasMessageContaining("scales_per_octave");
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator", "strides", List.of(8),
        "scales", List.of(1))))
        .hasMessageContaining("ratios").hasMessageContaining("missing required key");
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "MlvlPointGenerator", "strides", List.of(8),
        "offset", "half"))).hasMessageContaining("offset: expected a number");
  }

  @Test
  void ssdConfigMatchesMmdetectionDefaultsAndRejectsIntRanges() {
    List<Object> ratios = List.of(List.of(2), List.of(2, 3), List.of(2, 3), List.of(2, 3), List.of(2), List.of(2));
    SSDAnchorGenerator gen = (SSDAnchorGenerator) CoreRegistries.buildPriorGenerator(Config.of("type", "SSDAnchorGenerator",
        "scale_major", false, "input_size", 300, "basesize_ratio_range", PyTuple.of(List.of(0.15, 0.9)),
        "strides", List.of(8, 16, 32, 64, 100, 300), "ratios", ratios));
    assertThat(gen.minSizes()).containsExactly(21, 45, 99, 153, 207, 261);
    assertThatThrownBy(() -> CoreRegistries.buildPriorGenerator(Config.of("type", "SSDAnchorGenerator",
        "basesize_ratio_range", PyTuple.of(List.of(0, 0.9)), "strides", List.of(8, 16, 32, 64, 100, 300),
        "ratios", ratios))).hasMessageContaining("basesize_ratio_range: expected a pair of floats");
    SSDAnchorGenerator explicit = (SSDAnchorGenerator) CoreRegistries.buildPriorGenerator(Config.of("type", "SSDAnchorGenerator",
        "strides", List.of(16, 32), "ratios", List.of(List.of(2), List.of(2, 3)), "min_sizes", List.of(48, 100),
        "max_sizes", List.of(100, 150), "input_size", 320));
    assertThat(explicit.numBaseAnchors()).containsExactly(4, 6);
    assertThat(explicit.baseSizes()).containsExactly(48, 100);
  }

  @Test
  void pointGeneratorBuildsFromConfig() {
    PriorGenerator gen = CoreRegistries.buildPriorGenerator(Config.of("type", "MlvlPointGenerator", "strides", List.of(8, 16),
        "offset", 0.0));
    assertThat(gen).isInstanceOf(MlvlPointGenerator.class);
    assertThat(((MlvlPointGenerator) gen).offset()).isZero();
    assertThat(CoreRegistries.PRIOR_GENERATORS.types()).contains("AnchorGenerator", "SSDAnchorGenerator",
        "MlvlPointGenerator");
  }
}
