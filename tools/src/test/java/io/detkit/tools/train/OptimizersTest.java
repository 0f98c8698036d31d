package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.tools.model.OptimizerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

class OptimizersTest {
  private static final LrSchedule LR = LrSchedule.fromConfig(null, 0.02, 1);

  private static Config c(String s) {
    return s == null ? null : ConfigLoader.fromPythonExpression(s, "optimizer");
  }

  private static OptimizerSpec of(String optimizer, String optimizerConfig) {
    return Optimizers.fromConfig(c(optimizer), c(optimizerConfig), LR);
  }

  @Test
  void sgdWithWeightDecayAddsL2AndClipsByGlobalNorm() {
    OptimizerSpec s = of("dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)",
        "dict(grad_clip=dict(max_norm=35, norm_type=2))");
    assertThat(s.updater()).isInstanceOf(Nesterovs.class);
    assertThat(((Nesterovs) s.updater()).getMomentum()).isEqualTo(0.9);
    assertThat(s.l2()).isEqualTo(0.0001);
    assertThat(s.decoupledWeightDecay()).isZero();
    assertThat(s.maxGradNorm()).isEqualTo(35);
    assertThat(of("dict(type='SGD', lr=0.1)", null).updater()).isInstanceOf(Sgd.class);
  }

  @Test
  void adamAndAdamWDifferInHowWeightDecayApplies() {
    OptimizerSpec adam = of("dict(type='Adam', lr=0.001, betas=(0.8, 0.99), weight_decay=0.01)", null);
    assertThat(adam.updater()).isInstanceOf(Adam.class);
    assertThat(((Adam) adam.updater()).getBeta1()).isEqualTo(0.8);
    assertThat(adam.l2()).isEqualTo(0.01);
    OptimizerSpec adamW = of("dict(type='AdamW', lr=0.001)", null);
    assertThat(adamW.decoupledWeightDecay()).isEqualTo(0.01);
    assertThat(adamW.l2()).isZero();
    assertThat(adamW.updater().getLearningRate(0, 0)).isEqualTo(0.02);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      dict(type='Lamb', lr=0.1)                         |                                                  | unknown optimizer type 'Lamb'
      dict(type='SGD', lr=0.1, momentun=0.9)            |                                                  | momentun
      dict(type='SGD', lr=0.1, dampening=0.5)           |                                                  | only dampening=0
      dict(type='Adam', lr=0.1, betas=(0.9,))           |                                                  | must be (beta1, beta2)
      dict(type='SGD', lr=0.1, weight_decay=-1.0)       |                                                  | weight_decay: must be >= 0
      dict(type='SGD', lr=0.1)                          | dict(grad_clip=dict(max_norm=-1))                | max_norm
      dict(type='SGD', lr=0.1)                          | dict(grad_clip=dict(max_norm=1, norm_type=1))    | norm_type
      dict(type='SGD', lr=0.1)                          | dict(cumulative_iters=2)                         | cumulative_iters
      """)
  void unknownTypesKeysAndBadValuesAreNamed(String optimizer, String optimizerConfig, String message) {
    assertThatThrownBy(() -> of(optimizer, optimizerConfig)).hasMessageContaining(message);
  }
}
