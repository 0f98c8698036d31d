package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one refusal of unknown keys ({@link Config#requireAllRead}, {@link Config#requireKeysIn}): at
 * the key's path, naming the owner, the accepted keys closest first, {@code type} never listed.
 */
class UnknownKeysTest {
  private static final Config NMS = Config.of("model.test_cfg.nms",
      Map.of("type", "nms", "iou_threshold", 0.5, "ofset", 1));

  @Test
  void aTrackedViewRefusesTheFirstKeyNoGetterReadAtItsPath() {
    Config t = NMS.tracked();
    t.getString("type");
    t.getDouble("iou_threshold");
    t.getInt("offset", 0);
    assertThatThrownBy(() -> t.requireAllRead("nms type 'nms'")).isInstanceOf(ConfigException.class)
        .hasMessage("model.test_cfg.nms.ofset: unknown parameter 'ofset' for nms type 'nms'; accepted: offset,"
            + " iou_threshold")
        .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo("model.test_cfg.nms.ofset"));
    t.accept("ofset");
    assertThatCode(() -> t.requireAllRead("nms type 'nms'")).doesNotThrowAnyException();
  }

  @Test
  void typeIsRefusedUnlessReadOrAcceptedAndNeverListed() {
    Config t = Config.of("type", "X", "gamma", 2.0).tracked();
    t.getDouble("gamma");
    assertThatThrownBy(() -> t.requireAllRead(null)).isInstanceOf(ConfigException.class)
        .hasMessage("type: unknown parameter 'type'; accepted: gamma");
    t.accept("type");
    assertThatCode(() -> t.requireAllRead(null)).doesNotThrowAnyException();
  }

  @Test
  void aKnownSetRefusesTheFirstKeyOutsideIt() {
    assertThatThrownBy(() -> NMS.requireKeysIn(Set.of("type", "iou_threshold", "offset"), null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("model.test_cfg.nms.ofset: unknown parameter 'ofset'; accepted: offset, iou_threshold");
    assertThatCode(() -> NMS.requireKeysIn(Set.of("type", "iou_threshold", "ofset"), "nms"))
        .doesNotThrowAnyException();
  }

  @Test
  void onlyATrackedViewKnowsWhatWasRead() {
    assertThatThrownBy(() -> NMS.requireAllRead("nms")).isInstanceOf(IllegalStateException.class)
        .hasMessage("requireAllRead needs a tracked() view; model.test_cfg.nms is not one");
    assertThatThrownBy(() -> NMS.requireKeysIn(null, "nms")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("accepted must not be null");
  }
}
