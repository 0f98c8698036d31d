package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f64;
import static io.detkit.losses.RegressionTestSupport.predBoxes;
import static io.detkit.losses.RegressionTestSupport.targetBoxes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every MMDetection key is read, the registry builds what the builders build, bad values are named. */
class RegressionLossConfigTest {
  static Stream<Arguments> configsAndBuilders() {
    return Stream.of(
        Arguments.of(Config.of("type", "SmoothL1Loss", "beta", 0.3, "reduction", "sum", "loss_weight", 2.0,
            "check_finite", true), SmoothL1Loss.TYPE.builder().params(p -> p.withBeta(0.3))
                .options(o -> o.withReduction(Reduction.SUM).withLossWeight(2).withCheckFinite(true)).build()),
        Arguments.of(Config.of("type", "L1Loss", "reduction", "none", "loss_weight", 0.5),
            L1Loss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE).withLossWeight(0.5)).build()),
        Arguments.of(Config.of("type", "BalancedL1Loss", "alpha", 0.4, "gamma", 1.2, "beta", 0.8, "reduction", "mean",
            "loss_weight", 1.5), BalancedL1Loss.TYPE.builder()
                .params(p -> p.withAlpha(0.4).withGamma(1.2).withBeta(0.8)).options(o -> o.withLossWeight(1.5))
                    .build()),
        Arguments.of(Config.of("type", "MSELoss", "loss_weight", 3), MSELoss.TYPE.builder()
            .options(o -> o.withLossWeight(3)).build()),
        Arguments.of(Config.of("type", "GHMR", "mu", 0.05, "bins", 7, "momentum", 0, "loss_weight", 2.0,
            "reduction", "none"), GHMR.TYPE.builder().params(p -> p.withMu(0.05).withBins(7))
                .options(o -> o.withLossWeight(2).withReduction(Reduction.NONE)).build()),
        Arguments.of(Config.of("type", "IoULoss", "linear", false, "eps", 1e-3, "reduction", "sum", "loss_weight", 2.0,
            "mode", "square"), IoULoss.TYPE.builder().params(p -> p.withMode(IoULoss.Mode.SQUARE).withEps(1e-3))
                .options(o -> o.withReduction(Reduction.SUM).withLossWeight(2)).build()),
        Arguments.of(Config.of("type", "IoULoss", "linear", true, "mode", "log"),
            IoULoss.TYPE.builder().params(p -> p.withMode(IoULoss.Mode.LINEAR)).build()),
        Arguments.of(Config.of("type", "GIoULoss", "eps", 1e-4, "loss_weight", 2.0),
            GIoULoss.TYPE.builder().params(p -> p.withEps(1e-4)).options(o -> o.withLossWeight(2)).build()),
        Arguments.of(Config.of("type", "DIoULoss", "eps", 1e-4, "reduction", "none"),
            DIoULoss.TYPE.builder().params(p -> p.withEps(1e-4)).options(o -> o.withReduction(Reduction.NONE)).build()),
        Arguments.of(Config.of("type", "CIoULoss", "eps", 1e-4, "loss_weight", 5.0),
            CIoULoss.TYPE.builder().params(p -> p.withEps(1e-4)).options(o -> o.withLossWeight(5)).build()),
        Arguments.of(Config.of("type", "BoundedIoULoss", "beta", 0.3, "eps", 1e-2, "reduction", "sum"),
            BoundedIoULoss.TYPE.builder().params(p -> p.withBeta(0.3).withEps(1e-2))
                .options(o -> o.withReduction(Reduction.SUM)).build()));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("configsAndBuilders")
  void registryBuildsTheSameLossAsTheBuilder(Config config, Loss fromBuilder) {
    Loss fromConfig = Losses.build(config);
    assertThat(fromConfig).isInstanceOf(fromBuilder.getClass());
    assertThat(fromConfig.toString()).isEqualTo(fromBuilder.toString());
    assertThat(fromConfig.reduction()).isEqualTo(fromBuilder.reduction());
    assertThat(fromConfig.lossWeight()).isEqualTo(fromBuilder.lossWeight());
    assertThat(fromConfig.checkFinite()).isEqualTo(fromBuilder.checkFinite());
    Random rnd = new Random(1);
    double[] t = targetBoxes(rnd, 5);
    INDArray pred = f64(predBoxes(rnd, t, 5), 5, 4);
    INDArray target = f64(t, 5, 4);
    INDArray lw = f64(new double[20], 5, 4).addi(1);
    LossArgs args = fromConfig instanceof GHMR ? LossArgs.of(pred, target, lw) : LossArgs.of(pred, target);
    LossResult a = fromConfig.forward(args);
    LossResult b = fromBuilder.forward(args);
    assertThat(Tensors.toDoubles(a.value())).containsExactly(Tensors.toDoubles(b.value()));
    assertThat(Tensors.toDoubles(a.gradPred())).containsExactly(Tensors.toDoubles(b.gradPred()));
  }

  @Test
  void everyRegressionLossIsRegistered() {
    assertThat(Losses.REGISTRY.types()).contains("SmoothL1Loss", "L1Loss", "BalancedL1Loss", "MSELoss", "GHMR",
        "IoULoss", "GIoULoss", "DIoULoss", "CIoULoss", "BoundedIoULoss");
  }

  @Test
  void defaultsAreMmdetections() {
    assertThat(((SmoothL1Loss) Losses.build(Config.of("type", "SmoothL1Loss"))).beta()).isEqualTo(1.0);
    BalancedL1Loss b = (BalancedL1Loss) Losses.build(Config.of("type", "BalancedL1Loss"));
    assertThat(List.of(b.params().alpha(), b.params().gamma(), b.beta())).containsExactly(0.5, 1.5, 1.0);
    GHMR g = (GHMR) Losses.build(Config.of("type", "GHMR"));
    assertThat(List.of(g.mu(), (double) g.bins(), g.momentum())).containsExactly(0.02, 10.0, 0.0);
    IoULoss iou = (IoULoss) Losses.build(Config.of("type", "IoULoss"));
    assertThat(iou.params().mode()).isEqualTo(IoULoss.Mode.LOG);
    assertThat(iou.eps()).isEqualTo(1e-6);
    assertThat(((GIoULoss) Losses.build(Config.of("type", "GIoULoss"))).eps()).isEqualTo(1e-6);
    assertThat(((DIoULoss) Losses.build(Config.of("type", "DIoULoss"))).eps()).isEqualTo(1e-6);
    assertThat(((CIoULoss) Losses.build(Config.of("type", "CIoULoss"))).eps()).isEqualTo(1e-6);
    BoundedIoULoss bounded = (BoundedIoULoss) Losses.build(Config.of("type", "BoundedIoULoss"));
    assertThat(List.of(bounded.params().beta(), bounded.eps())).containsExactly(0.2, 1e-3);
    assertThat(iou.reduction()).isEqualTo(Reduction.MEAN);
    assertThat(iou.lossWeight()).isEqualTo(1.0);
  }

  @Test
  void unknownKeyIsRejectedWithTheAcceptedOnes() {
    assertThatThrownBy(() -> Losses.build(Config.of("type", "SmoothL1Loss", "betta", 1.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter 'betta' for loss type 'SmoothL1Loss'; accepted: beta");
    assertThatThrownBy(() -> Losses.build(Config.of("type", "GHMR", "label_weight", 1.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown parameter 'label_weight'");
  }

  static Stream<Arguments> outOfRangeConfigs() {
    return Stream.of(
        Arguments.of(Config.of("type", "SmoothL1Loss", "beta", 0.0),
            "beta: SmoothL1Loss: beta must be a finite number > 0; got 0.0"),
        Arguments.of(Config.of("type", "BalancedL1Loss", "alpha", -1),
            "alpha: BalancedL1Loss: alpha must be a finite number > 0; got -1.0"),
        Arguments.of(Config.of("type", "GHMR", "bins", 0),
            "bins: GHMR: bins must be in [1, 1024] (Limits.MAX_BINS); got 0"),
        Arguments.of(Config.of("type", "GHMR", "momentum", 1.0), "momentum: GHMR: momentum must be in [0, 1); got 1.0"),
        Arguments.of(Config.of("type", "GHMR", "mu", -0.1), "mu: GHMR: mu must be a finite number >= 0; got -0.1"),
        Arguments.of(Config.of("type", "IoULoss", "mode", "cube"),
            "mode: mode must be one of 'linear', 'square', 'log'; got 'cube'"),
        Arguments.of(Config.of("type", "CIoULoss", "eps", -1e-6),
            "eps: eps must be positive and representable in float32 (1.4E-45 to 3.4028235E38); got -1.0E-6"),
        Arguments.of(Config.of("type", "BoundedIoULoss", "beta", "0.2"), "beta: expected a number, got '0.2'"),
        Arguments.of(Config.of("type", "L1Loss", "loss_weight", Double.NaN),
            "loss_weight: loss_weight must be finite; got NaN"),
        Arguments.of(Config.of("type", "FocalLoss", "gamma", -1.0),
            "gamma: FocalLoss: gamma must be a finite number >= 0; got -1.0"),
        Arguments.of(Config.of("type", "CrossEntropyLoss", "class_weight", List.of(1.0, Double.NaN)),
            "class_weight: CrossEntropyLoss: class_weight[1] must be finite; got NaN"));
  }

  @ParameterizedTest
  @MethodSource("outOfRangeConfigs")
  void outOfRangeValuesNameTheirKey(Config config, String message) {
    assertThatThrownBy(() -> Losses.build(config)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  static Stream<Arguments> outOfRangeBuilders() {
    return Stream.of(
        Arguments.of((Supplier<Loss>) () -> SmoothL1Loss.TYPE.builder().params(p -> p.withBeta(-1)).build(),
            "SmoothL1Loss: beta must be a finite number > 0; got -1.0"),
        Arguments.of((Supplier<Loss>) () -> BalancedL1Loss.TYPE.builder().params(p -> p.withGamma(Double.NaN)).build(),
            "BalancedL1Loss: gamma must be a finite number > 0; got NaN"),
        Arguments.of((Supplier<Loss>) () -> GHMR.TYPE.builder().params(p -> p.withBins(0)).build(),
            "GHMR: bins must be in [1, 1024] (Limits.MAX_BINS); got 0"),
        Arguments.of((Supplier<Loss>) () -> BoundedIoULoss.TYPE.builder().params(p -> p.withEps(0)).build(),
            "BoundedIoULoss: eps must be positive and representable in float32 (1.4E-45 to 3.4028235E38);"
                + " got 0.0"),
        Arguments.of((Supplier<Loss>) () -> DIoULoss.TYPE.builder()
            .options(o -> o.withLossWeight(Double.POSITIVE_INFINITY)).build(),
            "loss_weight must be finite; got Infinity"),
        Arguments.of((Supplier<Loss>) () -> FocalLoss.TYPE.builder().params(p -> p.withGamma(-1)).build(),
            "FocalLoss: gamma must be a finite number >= 0; got -1.0"));
  }

  /** The builders check through the same records as the configs, without the key's path. */
  @ParameterizedTest
  @MethodSource("outOfRangeBuilders")
  void buildersRejectOutOfRangeValues(Supplier<Loss> build, String message) {
    assertThatThrownBy(build::get).isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void nullModeIsRejectedAtOnce() {
    assertThatThrownBy(() -> IoULoss.TYPE.builder().params(p -> p.withMode(null)))
        .isInstanceOf(NullPointerException.class).hasMessage("mode");
  }
}
