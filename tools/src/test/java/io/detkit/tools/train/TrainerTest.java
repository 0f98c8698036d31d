package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.detkit.tools.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @Test
  void aFewIterationsEndToEndLowerTheLossAndWriteTheWorkDir(@TempDir Path dir) throws Exception {
    Trainer.Result r = TrainFixtures.trainer(TestConfigs.small("atss_shapes.py", "runner.max_epochs=100"), dir)
        .maxIterations(36).run();
    assertThat(r.iterations()).isEqualTo(36);
    double[] firstLast = r.firstAndLastMean(6);
    assertThat(firstLast[1]).as("mean loss of the last 6 iterations vs the first 6").isLessThan(0.85 * firstLast[0]);
    assertThat(r.metrics()).isNotNull();
    assertThat(Files.readString(dir.resolve("atss_shapes.py"))).contains("type='ATSSHead'");
    JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    assertThat(metrics.get("iterations")).hasSize(36);
    assertThat(metrics.get("iterations").get(0).has("loss_centerness")).isTrue();
    assertThat(metrics.get("epochs").get(metrics.get("epochs").size() - 1).get("bbox_mAP_50").asDouble())
        .isBetween(0.0, 1.0);
    assertThat(dir.resolve("loss_curve.png")).isNotEmptyFile();
    assertThat(dir.resolve("val_predictions.png")).isNotEmptyFile();
    assertThat(dir.resolve("latest.ckpt")).isNotEmptyFile();
    Checkpoint ck = Checkpoint.read(dir.resolve("latest.ckpt"));
    assertThat(ck.config()).contains("ATSSHead");
    assertThat(ck.params().length).isGreaterThan(10_000);
  }

  @Test
  void theSameSeedGivesTheSameRun(@TempDir Path dir) throws Exception {
    List<Double> a = quick(0, dir);
    assertThat(quick(0, dir)).isEqualTo(a);
    assertThat(quick(1, dir)).isNotEqualTo(a);
  }

  @Test
  void withoutATerminalTheProgressBarBecomesPlainLogLines(@TempDir Path dir) throws Exception {
    // Surefire runs the tests without a terminal (System.console() is null), as a redirected run.
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    Experiment exp = Experiment.of(TestConfigs.small("atss_shapes.py"), 0);
    new Trainer(exp, dir, "atss_shapes.py", true, new java.io.PrintStream(captured, true)).noValidate()
        .maxIterations(2).run();
    assertThat(System.console()).isNull();
    assertThat(captured.toString()).doesNotContain("\r");
  }

  private static List<Double> quick(long seed, Path dir) throws Exception {
    Experiment exp = Experiment.of(TestConfigs.small("atss_shapes.py"), seed);
    return new Trainer(exp, dir, "atss_shapes.py", false, System.err).noValidate().maxIterations(3).run().losses();
  }
}
