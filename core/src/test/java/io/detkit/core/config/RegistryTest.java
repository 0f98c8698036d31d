package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** Building from a config's {@code type}, and the messages for every way it can go wrong. */
class RegistryTest {
  /** A stand-in component: what a loss factory would build. */
  record FakeLoss(String type, double gamma, double alpha, String reduction, double lossWeight) {}

  private static Registry<FakeLoss> losses() {
    Registry<FakeLoss> r = new Registry<>("loss");
    r.register("FocalLoss", c -> new FakeLoss("FocalLoss", c.getDouble("gamma", 2.0), c.getDouble("alpha", 0.25),
        c.getString("reduction", "mean"), c.getDouble("loss_weight", 1.0)));
    r.register("CrossEntropyLoss", c -> {
      c.accept("use_sigmoid", "use_mask");
      return new FakeLoss("CrossEntropyLoss", 0, 0, c.getString("reduction", "mean"), c.getDouble("loss_weight", 1.0));
    });
    r.register("GHMC", c -> new FakeLoss("GHMC", c.getInt("bins", 10), 0, "mean", 1.0));
    return r;
  }

  private static Config py(String expr) {
    return ConfigLoader.fromPythonExpression(expr, "t");
  }

  @Test
  void buildsFromPythonConfigWithDefaults() {
    FakeLoss l = losses().build(py("dict(type='FocalLoss', gamma=1.5)"));
    assertThat(l).isEqualTo(new FakeLoss("FocalLoss", 1.5, 0.25, "mean", 1.0));
  }

  @Test
  void unknownTypeListsRegisteredNamesAndClosestMatch() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> losses().build(py("dict(type='FocalLos')").atPath("model.bbox_head.loss_cls")));
    assertThat(e).hasMessage("model.bbox_head.loss_cls.type: unknown loss type 'FocalLos'; did you mean"
        + " 'FocalLoss'? Registered: CrossEntropyLoss, FocalLoss, GHMC");
    assertThat(e.path()).isEqualTo("model.bbox_head.loss_cls.type");
  }

  @Test
  void missingTypeNamesTheChoices() {
    assertThat(catchThrowableOfType(ConfigException.class, () -> losses().build(py("dict(gamma=2.0)"))))
        .hasMessage("type: a loss config needs a string 'type' naming one of: CrossEntropyLoss, FocalLoss, GHMC;"
            + " got None");
  }

  @Test
  void unknownParameterNamesKeyTypeAndAcceptedKeysClosestFirst() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> losses().build(py("dict(type='FocalLoss', gama=1.5)").atPath("loss_cls")));
    assertThat(e).hasMessage("loss_cls.gama: unknown parameter 'gama' for loss type 'FocalLoss'; accepted:"
        + " gamma, alpha, reduction, loss_weight");
    ConfigException accepted = catchThrowableOfType(ConfigException.class,
        () -> losses().build(py("dict(type='CrossEntropyLoss', use_sigmoid=True, use_mask=False, ignore=1)")));
    assertThat(accepted).hasMessage("ignore: unknown parameter 'ignore' for loss type 'CrossEntropyLoss'; accepted:"
        + " use_mask, use_sigmoid, reduction, loss_weight");
  }

  @Test
  void factoryTypeErrorsNameThePath() {
    assertThat(catchThrowableOfType(ConfigException.class,
        () -> losses().build(py("dict(type='GHMC', bins=10.0)").atPath("loss_cls"))))
        .hasMessage("loss_cls.bins: expected an integer, got 10.0");
  }

  @Test
  void duplicateAndBlankRegistrationsAreRejected() {
    Registry<FakeLoss> r = losses();
    assertThat(catchThrowableOfType(IllegalArgumentException.class,
        () -> r.register("FocalLoss", c -> null))).hasMessage("loss type 'FocalLoss' is already registered");
    assertThat(catchThrowableOfType(IllegalArgumentException.class,
        () -> r.register(" ", c -> null))).hasMessage("type must be a non-empty name; got ' '");
  }

  @Test
  void userDefinedTypeRegisteredAtStartUpIsBuiltFromAConfigFile() {
    // The counterpart of MMDetection's @LOSSES.register_module() on a user class.
    Registry<FakeLoss> r = losses();
    assertThat(r.contains("MyLoss")).isFalse();
    r.register("MyLoss", c -> new FakeLoss("MyLoss", 0, c.getDouble("alpha", 0.25), c.getString("reduction", "mean"),
        c.getDouble("loss_weight", 1.0)));
    Config cfg = ConfigLoader.fromPython("model = dict(bbox_head=dict(loss_cls=dict(type='MyLoss', alpha=0.5,"
        + " loss_weight=2.0)))\n", "user.py");
    FakeLoss built = r.build(cfg.getConfig("model").getConfig("bbox_head").getConfig("loss_cls"));
    assertThat(built).isEqualTo(new FakeLoss("MyLoss", 0, 0.5, "mean", 2.0));
    assertThat(r.types()).containsExactly("CrossEntropyLoss", "FocalLoss", "GHMC", "MyLoss");
    ConfigException typo = catchThrowableOfType(ConfigException.class, () -> r.build(py("dict(type='MyLos')")));
    assertThat(typo.getMessage()).contains("did you mean 'MyLoss'?");
  }
}
