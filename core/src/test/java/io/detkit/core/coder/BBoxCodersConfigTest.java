package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BBoxCodersConfigTest {
  @Test
  void buildsEachRegisteredCoderWithItsParameters() {
    DeltaXYWHBBoxCoder delta = (DeltaXYWHBBoxCoder) CoreRegistries.buildBBoxCoder(Config.of("type", "DeltaXYWHBBoxCoder",
        "target_means", List.of(0.0, 0.0, 0.0, 0.0), "target_stds", List.of(0.1, 0.1, 0.2, 0.2),
        "add_ctr_clamp", true, "ctr_clamp", 16));
    assertThat(delta.params().targetStds().toArray()).containsExactly(0.1, 0.1, 0.2, 0.2);
    assertThat(delta.params().addCtrClamp()).isTrue();
    assertThat(delta.params().ctrClamp()).isEqualTo(16);
    assertThat(delta.params().clipBorder()).isTrue();
    TBLRBBoxCoder tblr = (TBLRBBoxCoder) CoreRegistries.buildBBoxCoder(Config.of("type", "TBLRBBoxCoder", "normalizer",
        List.of(1, 2.0, 0.5, 4.0), "clip_border", false));
    assertThat(tblr.params().perSideNormalizer()).isTrue();
    assertThat(tblr.params().clipBorder()).isFalse();
    assertThat(((TBLRBBoxCoder) CoreRegistries.buildBBoxCoder(Config.of("type", "TBLRBBoxCoder"))).params().normalizer().toArray())
        .containsExactly(4, 4, 4, 4);
    assertThat(CoreRegistries.buildBBoxCoder(Config.of("type", "DistancePointBBoxCoder", "clip_border", false)))
        .isInstanceOf(DistancePointBBoxCoder.class);
  }

  @Test
  void unknownParameterIsRejectedByTheRegistry() {
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "DeltaXYWHBBoxCoder", "target_std",
        List.of(1.0, 1.0, 1.0, 1.0))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter 'target_std' for bbox coder type 'DeltaXYWHBBoxCoder'")
        .hasMessageContaining("accepted: target_stds");
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "DeltaXYWHBBoxCoder", "wh_ratio_clip", 0.1)))
        .hasMessageContaining("unknown parameter 'wh_ratio_clip'");
  }

  @Test
  void intNormalizerIsRejectedAsInMmdetection() {
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "TBLRBBoxCoder", "normalizer", 4)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("normalizer: ")
        .hasMessageContaining("an int is rejected as in MMDetection, write 4.0");
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "TBLRBBoxCoder", "normalizer", List.of(1.0, 2.0))))
        .hasMessageContaining("normalizer: expected a float or a sequence of 4 numbers");
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "DeltaXYWHBBoxCoder", "target_stds",
        List.of(1.0, 1.0, 1.0)))).hasMessageContaining("target_stds must have 4 values");
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "DeltaXYWHBBoxCoder", "ctr_clamp", -1)))
        .hasMessageContaining("DeltaXYWHBBoxCoder: ctr_clamp must be a finite number >= 0; got -1.0");
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "DistancePointBBoxCoder", "clip_border", "yes")))
        .hasMessageContaining("clip_border: expected a boolean");
  }
}
