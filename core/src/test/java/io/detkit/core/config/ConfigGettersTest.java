package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Typed getters name the dotted path, the expected type and the value they got. */
class ConfigGettersTest {
  private static final Config CFG = ConfigLoader.fromPython(String.join("\n",
      "model = dict(",
      "    bbox_head=dict(",
      "        loss_cls=dict(type='FocalLoss', gamma='high', alpha=0.25, use_sigmoid=1, num=2.0,",
      "                      ratios=[0.5, 'x'], ids=[1, 2.5], big=3000000000, cfg=None, flag=True)))",
      ""), "m.py");

  private static Config loss() {
    return CFG.getConfig("model").getConfig("bbox_head").getConfig("loss_cls");
  }

  private static String message(Executable call) {
    ConfigException e = catchThrowableOfType(ConfigException.class, call::execute);
    assertThat(e).isNotNull();
    return e.getMessage();
  }

  @Test
  void wrongTypeNamesPathExpectationAndValue() {
    assertThat(message(() -> loss().getDouble("gamma")))
        .isEqualTo("model.bbox_head.loss_cls.gamma: expected a number, got 'high'");
    assertThat(message(() -> loss().getBoolean("use_sigmoid")))
        .isEqualTo("model.bbox_head.loss_cls.use_sigmoid: expected a boolean (True or False), got 1");
    assertThat(message(() -> loss().getLong("num")))
        .isEqualTo("model.bbox_head.loss_cls.num: expected an integer, got 2.0");
    assertThat(message(() -> loss().getString("alpha")))
        .isEqualTo("model.bbox_head.loss_cls.alpha: expected a string, got 0.25");
    assertThat(message(() -> loss().getConfig("type")))
        .isEqualTo("model.bbox_head.loss_cls.type: expected a dict, got 'FocalLoss'");
    assertThat(message(() -> loss().getList("flag")))
        .isEqualTo("model.bbox_head.loss_cls.flag: expected a list or tuple, got True");
    assertThat(message(() -> loss().getInt("big")))
        .isEqualTo("model.bbox_head.loss_cls.big: expected an integer in int range, got 3000000000");
    assertThat(message(() -> CFG.getConfig("model").getDouble("bbox_head")))
        .isEqualTo("model.bbox_head: expected a number, got dict(loss_cls)");
  }

  @Test
  void listItemsNameTheirIndex() {
    assertThat(message(() -> loss().getDoubleArray("ratios")))
        .isEqualTo("model.bbox_head.loss_cls.ratios[1]: expected a number, got 'x'");
    assertThat(message(() -> loss().getIntArray("ids")))
        .isEqualTo("model.bbox_head.loss_cls.ids[1]: expected an integer, got 2.5");
  }

  @Test
  void missingKeyNamesPathAndPresentKeys() {
    assertThat(message(() -> loss().getDouble("beta"))).isEqualTo("model.bbox_head.loss_cls.beta: missing required"
        + " key 'beta'; present: type, gamma, alpha, use_sigmoid, num, ratios, ids, big, cfg, flag");
    assertThat(message(() -> Config.empty().getString("type"))).isEqualTo("type: missing required key 'type'");
  }

  @Test
  void defaultsApplyToAbsentAndNoneButNotToWrongTypes() {
    assertThat(loss().getDouble("beta", 2.0)).isEqualTo(2.0);
    assertThat(loss().getConfigOrNull("cfg")).isNull();
    assertThat(loss().getInt("cfg", 7)).isEqualTo(7);
    assertThat(loss().getDouble("num")).isEqualTo(2.0);
    assertThat(message(() -> loss().getDouble("gamma", 2.0)))
        .isEqualTo("model.bbox_head.loss_cls.gamma: expected a number, got 'high'");
  }
}
