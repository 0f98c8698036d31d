package io.detkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.anchor.MlvlPointGenerator;
import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.bbox.BboxOverlaps2D;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoreRegistriesTest {
  @Test
  void eachKindHasItsMmdetectionTypesAndItsNameInMessages() {
    assertThat(CoreRegistries.PRIOR_GENERATORS.types())
        .containsExactly("AnchorGenerator", "MlvlPointGenerator", "SSDAnchorGenerator");
    assertThat(CoreRegistries.BBOX_ASSIGNERS.types()).containsExactly("ATSSAssigner", "MaxIoUAssigner",
        "TaskAlignedAssigner");
    assertThat(CoreRegistries.BBOX_CODERS.types()).containsExactly("DeltaXYWHBBoxCoder", "DistancePointBBoxCoder",
        "TBLRBBoxCoder");
    assertThat(CoreRegistries.IOU_CALCULATORS.types()).containsExactly("BboxOverlaps2D");
    assertThat(CoreRegistries.PRIOR_GENERATORS.kind()).isEqualTo("prior generator");
    assertThat(CoreRegistries.BBOX_ASSIGNERS.kind()).isEqualTo("assigner");
    assertThat(CoreRegistries.BBOX_CODERS.kind()).isEqualTo("bbox coder");
    assertThat(CoreRegistries.IOU_CALCULATORS.kind()).isEqualTo("iou calculator");
  }

  @Test
  void theBuildFunctionsBuildThroughTheirRegistry() {
    assertThat(CoreRegistries.buildPriorGenerator(Config.of("type", "MlvlPointGenerator",
        "strides", List.of(8))))
        .isInstanceOf(MlvlPointGenerator.class);
    assertThat(CoreRegistries.buildAssigner(Config.of("type", "ATSSAssigner", "topk", 9))).isInstanceOf(ATSSAssigner.class);
    assertThat(CoreRegistries.buildBBoxCoder(Config.of("type", "TBLRBBoxCoder"))).isInstanceOf(TBLRBBoxCoder.class);
    assertThat(CoreRegistries.buildIouCalculator(Config.of("type", "BboxOverlaps2D"))).isInstanceOf(BboxOverlaps2D.class);
    // The registry's strictness comes with them: an unknown key is refused, naming the kind and the key.
    assertThatThrownBy(() -> CoreRegistries.buildBBoxCoder(Config.of("type", "TBLRBBoxCoder", "normaliser", 4.0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown parameter 'normaliser' for bbox coder");
    assertThatThrownBy(() -> CoreRegistries.buildAssigner(Config.of("type", "ATSSAsigner")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'ATSSAssigner'");
  }
}
