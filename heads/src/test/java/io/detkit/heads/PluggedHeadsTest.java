package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;
import io.detkit.heads.anchorfree.FCOSHead;
import io.detkit.heads.anchorfree.VFNetHead;
import io.detkit.heads.examples.IoUWeightedAnchorHead;
import io.detkit.heads.gfl.GFLHead;
import org.junit.jupiter.api.Test;

/**
 * {@link HeadProvider}s found by {@link java.util.ServiceLoader}: detkit's own subpackage heads, and
 * a user's provider ({@link Provider}, named in this module's test resources
 * {@code META-INF/services/io.detkit.heads.HeadProvider}, as a user's jar would name its own).
 */
class PluggedHeadsTest {
  /** A user's provider: registers an example head under a name of its own. */
  public static final class Provider implements HeadProvider {
    @Override
    public void registerHeads(Registry<BaseDenseHead> registry) {
      registry.register("PluggedIoUWeightedHead", c -> IoUWeightedAnchorHead.builder().fromConfig(c));
    }
  }

  @Test
  void theSubpackageHeadsComeInThroughTheirProviders() {
    assertThat(Heads.REGISTRY.types()).contains("AnchorHead", "RPNHead", "RetinaHead", "ATSSHead", "GFLHead",
        "TOODHead", "FCOSHead", "VFNetHead");
    assertThat(Heads.build(Config.of("type", "FCOSHead", "num_classes", 2))).isInstanceOf(FCOSHead.class);
    assertThat(Heads.build(Config.of("type", "VFNetHead", "num_classes", 2, "use_atss", false)))
        .isInstanceOf(VFNetHead.class);
    assertThat(Heads.build(Config.of("type", "GFLHead", "num_classes", 2))).isInstanceOf(GFLHead.class);
  }

  @Test
  void aUsersProviderOnTheClassPathRegistersItsHeads() {
    BaseDenseHead head = Heads.build(Tiny.headConfig("PluggedIoUWeightedHead", -1, 0.0, -1));
    assertThat(head).isInstanceOf(IoUWeightedAnchorHead.class);
    assertThat(head.numClasses()).isEqualTo(1);
  }
}
