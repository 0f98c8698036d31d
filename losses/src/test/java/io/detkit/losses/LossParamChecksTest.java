package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigField;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Positive;
import org.junit.jupiter.api.Test;

/**
 * A loss's {@code Params} record under core's {@link ParamChecks}: messages name the loss and the
 * config key, {@code fromConfig} reports the key's path; the loss type's name and sigmoidOnly option.
 */
class LossParamChecksTest {
  /** A loss around its record: messages name the loss; a renamed key is the config's. */
  static final class ProbeLoss extends ParamLoss<ProbeLoss.Params> {
    record Params(@ConfigField(key = "beta_value") @Positive double beta) {
      Params {
        ParamChecks.check(Params.class, beta);
      }
    }

    ProbeLoss(LossOptions options, Params params) {
      super(options, params);
    }

    @Override
    protected Elementwise kernel(LossArgs args) {
      throw new UnsupportedOperationException("not called");
    }
  }

  @Test
  void aRecordInsideALossNamesTheLossAndTheConfigKey() {
    assertThatThrownBy(() -> new ProbeLoss.Params(-1)).isInstanceOf(ParamChecks.BadParameter.class)
        .hasMessage("ProbeLoss: beta_value must be a finite number > 0; got -1.0")
        .satisfies(e -> assertThat(((ParamChecks.BadParameter) e).key()).isEqualTo("beta_value"));
    LossType<ProbeLoss.Params, ProbeLoss> type = LossType.of(ProbeLoss.class, new ProbeLoss.Params(1), ProbeLoss::new);
    assertThat(type.name()).isEqualTo("ProbeLoss");
    assertThat(type.builder().build().type()).isEqualTo("ProbeLoss");
    assertThatThrownBy(() -> type.fromConfig(Config.of("type", "ProbeLoss", "beta_value", 0.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("beta_value: ProbeLoss: beta_value must be a finite number > 0; got 0.0");
  }

  @Test
  void theSigmoidOnlyOptionRefusesUseSigmoidFalseAtTheKeysPathNamingTheLoss() {
    assertThatThrownBy(() -> FocalLoss.TYPE.fromConfig(Config.of("type", "FocalLoss", "use_sigmoid", false)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("use_sigmoid: FocalLoss: use_sigmoid must be True (MMDetection implements FocalLoss for sigmoid"
            + " scores only); got False");
    // Inside a model the error names the key's whole path, as every other config error does.
    Config inModel = Config.of("bbox_head.loss_cls", java.util.Map.of("type", "FocalLoss", "use_sigmoid", false));
    assertThatThrownBy(() -> Losses.build(inModel))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("bbox_head.loss_cls.use_sigmoid: FocalLoss: ")
        .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo("bbox_head.loss_cls.use_sigmoid"));
    assertThat(GHMC.TYPE.fromConfig(Config.of("type", "GHMC", "use_sigmoid", true))).isInstanceOf(GHMC.class);
    assertThatThrownBy(L1Loss.TYPE::sigmoidOnly).isInstanceOf(IllegalStateException.class)
        .hasMessage("L1Loss: sigmoidOnly needs a type with own parameters");
  }

  @Test
  void anAnonymousLossHasNoTypeName() {
    assertThatThrownBy(() -> new Loss(LossOptions.DEFAULTS) {
      @Override
      protected Elementwise kernel(LossArgs args) {
        return null;
      }
    }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a component needs a named class (its type name); got anonymous");
  }
}
