package io.detkit.losses.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The seed tutorial's FocalLoss snippets, pasted in MMDetection's Python syntax, build through the
 * loss registry; their values on the golden FocalLoss inputs are pinned against MMDetection's own
 * output for the default config and against the tutorial's meaning for each tweak.
 */
class SeedTutorialSnippetsTest {
  private static final String DEFAULT =
      "loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)";
  private static final String TUNED =
      "loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=1.5, alpha=0.5, loss_weight=1.0)";
  private static final String SUM =
      "loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0, reduction='sum')";
  private static final String HALF =
      "loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=0.5)";

  private static Loss build(String snippet) {
    return Losses.build(ConfigLoader.fromPython(snippet, "seed").getConfig("loss_cls"));
  }

  private static GoldenCase goldenDefaultMean() {
    return GoldenSet.bundled().cases().stream()
        .filter(c -> c.id().equals("FocalLoss/C4_g2.0_a0.25/mean"))
        .findFirst().orElseThrow();
  }

  @Test
  void snippetsBuildFocalLossesWithTheTutorialsSettings() {
    assertThat(build(TUNED)).isInstanceOf(FocalLoss.class);
    FocalLoss tuned = (FocalLoss) build(TUNED);
    assertThat(tuned.params().gamma()).isEqualTo(1.5);
    assertThat(tuned.params().alpha()).isEqualTo(0.5);
    assertThat(build(SUM).reduction().key()).isEqualTo("sum");
    assertThat(build(HALF).lossWeight()).isEqualTo(0.5);
  }

  @Test
  void snippetValuesOnGoldenInputs() {
    GoldenCase c = goldenDefaultMean();
    INDArray pred = c.input("pred");
    INDArray target = c.input("target");
    double mmdet = c.expectedOutputs().get("loss").data()[0];
    double mean = build(DEFAULT).forward(pred, target).scalar();
    assertThat(mean).isCloseTo(mmdet, within(1e-6));
    // Step 4: 'sum' adds the N*C elements instead of averaging them.
    assertThat(build(SUM).forward(pred, target).scalar()).isCloseTo(mean * pred.length(), within(1e-4));
    // Step 5: loss_weight scales the reduced value.
    assertThat(build(HALF).forward(pred, target).scalar()).isCloseTo(0.5 * mean, within(1e-7));
    // Step 2: new gamma and alpha change the value; pinned against a direct formula loop.
    double tuned = build(TUNED).forward(pred, target).scalar();
    assertThat(tuned).isCloseTo(directFocalMean(pred, target, 1.5, 0.5), within(1e-6));
    assertThat(tuned).isNotCloseTo(mean, within(1e-3));
  }

  private static double directFocalMean(INDArray pred, INDArray target, double gamma, double alpha) {
    long n = pred.size(0);
    long classes = pred.size(1);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      long label = target.getLong(i);
      for (int j = 0; j < classes; j++) {
        double p = 1 / (1 + Math.exp(-pred.getDouble(i, j)));
        boolean positive = label == j;
        double ce = positive ? -Math.log(p) : -Math.log(1 - p);
        double pt = positive ? p : 1 - p;
        sum += (positive ? alpha : 1 - alpha) * Math.pow(1 - pt, gamma) * ce;
      }
    }
    return sum / (n * classes);
  }

  @Test
  void tunedConfigRoundTripsThroughTheRegistryStrictly() {
    Config bad = ConfigLoader.fromPythonExpression("dict(type='FocalLoss', gama=1.5)", "typo");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Losses.build(bad))
        .hasMessageContaining("unknown parameter 'gama'")
        .hasMessageContaining("gamma");
  }
}
