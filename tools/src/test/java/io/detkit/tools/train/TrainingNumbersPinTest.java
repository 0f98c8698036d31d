package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.detkit.tools.TestConfigs;
import io.detkit.tools.model.DetectorNet;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins a short deterministic training bit for bit: the losses and learning rate of every
 * iteration, the AP of both evaluations (the {@code metrics.json} of the run, timings left out)
 * and a SHA-256 of the final parameters. The numbers were first captured from the training loop as
 * it was before the runner and its hooks replaced it (commit ad27d95; the runner reproduced them
 * bit for bit), and captured again when the ATSS network gained its per-level Scale layers (which
 * changes the parameters and their initial draws); the head's level canvas has its own numbers
 * (the per-level form's are still pinned); a change to the loop's order of operations
 * (data, forward, loss, backward, step, evaluation) shows up here. Captured on
 * nd4j-native 1.0.0-M2.1 (CPU, x86-64 Linux).
 */
class TrainingNumbersPinTest {
  /** The head in its per-level form ({@code -Ddetkit.perLevelHead=true}): the numbers pinned before the level canvas. */
  private static final String PER_LEVEL_SHA256 = "fab287b8dc296ed32d5c453358b6f09f34ca6609a253bf922fd962173bc638d0";
  /**
   * The head once on the level canvas (the default): the same numbers to the last bits of the
   * weight gradients (one convolution backward sums over both levels), so the losses from the third
   * iteration on and the parameters differ in their last bits; the APs are the same.
   */
  private static final String CANVAS_SHA256 = "def080815788ba6fa4bf056e3ba0816c4f832f1d68c9e9dde81fb8c31577468a";

  @Test
  void thirtyTwoIterationsOfAtssGiveThePinnedLossesMetricsAndParameters(@TempDir Path dir) throws Exception {
    assertPinned(dir, "atss_shapes_32_iterations_canvas.json", CANVAS_SHA256);
  }

  @Test
  void thePerLevelFormGivesTheNumbersPinnedBeforeTheCanvas(@TempDir Path dir) throws Exception {
    String old = System.setProperty(DetectorNet.PER_LEVEL_PROPERTY, "true");
    try {
      assertPinned(dir, "atss_shapes_32_iterations.json", PER_LEVEL_SHA256);
    } finally {
      if (old == null) {
        System.clearProperty(DetectorNet.PER_LEVEL_PROPERTY);
      } else {
        System.setProperty(DetectorNet.PER_LEVEL_PROPERTY, old);
      }
    }
  }

  private void assertPinned(Path dir, String pinnedMetrics, String paramsSha256) throws Exception {
    Trainer.Result r = TrainFixtures.trainer(TestConfigs.small("atss_shapes.py", "data.train.num_images=32",
        "runner.max_epochs=8", "evaluation.interval=4", "checkpoint_config.interval=1"), dir).run();
    assertThat(r.iterations()).isEqualTo(32);

    ObjectMapper json = new ObjectMapper();
    ObjectNode metrics = (ObjectNode) json.readTree(dir.resolve("metrics.json").toFile());
    metrics.remove("train_seconds");
    metrics.remove("total_seconds");
    metrics.get("epochs").forEach(e -> ((ObjectNode) e).remove("eval_seconds"));
    JsonNode pinned;
    try (InputStream in = getClass().getResourceAsStream(pinnedMetrics)) {
      pinned = json.readTree(in);
    }
    assertThat(metrics).isEqualTo(pinned);
    assertThat(r.metrics().cocoAp()).isEqualTo(pinned.get("epochs").get(1).get("bbox_mAP").asDouble());

    float[] params = Checkpoint.read(dir.resolve("latest.ckpt")).params();
    ByteBuffer bytes = ByteBuffer.allocate(4 + 4 * params.length).putInt(params.length);
    for (float p : params) {
      bytes.putFloat(p);
    }
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    assertThat(sha).as("SHA-256 of the final parameters (params.bin)").isEqualTo(paramsSha256);
  }
}
