package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.detkit.tools.TestConfigs;
import io.detkit.tools.model.DetectorNet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins a short deterministic training: the losses and learning rate of every iteration, the AP of
 * both evaluations (the {@code metrics.json} of the run, timings left out) and a SHA-256 of the
 * final parameters, for the head on its level canvas (the default) and in its per-level form
 * ({@code -Ddetkit.perLevelHead=true}). A change to the loop's order of operations (data,
 * forward, loss, backward, step, evaluation) shows up here.
 *
 * <p>The bits depend on the machine's native kernels (oneDNN's follow the CPU's instruction set,
 * the BLAS's its core type), so they are pinned per platform, identified by
 * {@link PlatformProbe#fingerprint()}: {@code pins/<fingerprint>.json}. On a pinned platform every
 * bit is checked. On every platform the run reproduces itself bit for bit, its learning rates are
 * the pinned ones exactly, and its first {@value #FIRST_ITERATIONS} iterations' losses agree with
 * the reference numbers ({@code atss_shapes_32_iterations*.json}, captured on the project's earlier
 * machines) to {@value #FIRST_ITERATIONS_TOLERANCE} relative: kernels of another instruction set
 * moved them by at most 9e-8 (the differences grow with every update, 1e-5 by iteration 8, so later
 * iterations are pinned per platform only). To pin a new platform run this class with
 * {@code -Ddetkit.writeTrainingPins=DIR} and add {@code DIR/<fingerprint>.json} to
 * {@code src/test/resources/io/detkit/tools/train/pins/}.
 */
class TrainingNumbersPinTest {
  static final int FIRST_ITERATIONS = 5;
  static final double FIRST_ITERATIONS_TOLERANCE = 1e-6;
  private static final String[] LOSSES = {"loss", "loss_cls", "loss_bbox", "loss_centerness"};
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One training's pinned quantities. */
  record Run(ObjectNode metrics, String paramsSha256) {
    ObjectNode toJson() {
      ObjectNode n = JSON.createObjectNode();
      n.set("metrics", metrics);
      n.put("params_sha256", paramsSha256);
      return n;
    }
  }

  private static Run canvas;
  private static Run canvasAgain;
  private static Run perLevel;
  private static String platform;

  @BeforeAll
  static void train(@TempDir Path dir) throws Exception {
    platform = PlatformProbe.fingerprint();
    canvas = run(dir.resolve("canvas"));
    canvasAgain = run(dir.resolve("canvas-again"));
    String old = System.setProperty(DetectorNet.PER_LEVEL_PROPERTY, "true");
    try {
      perLevel = run(dir.resolve("per-level"));
    } finally {
      if (old == null) {
        System.clearProperty(DetectorNet.PER_LEVEL_PROPERTY);
      } else {
        System.setProperty(DetectorNet.PER_LEVEL_PROPERTY, old);
      }
    }
    String out = System.getProperty("detkit.writeTrainingPins");
    if (out != null) {
      ObjectNode pins = JSON.createObjectNode();
      pins.set("canvas", canvas.toJson());
      pins.set("per_level", perLevel.toJson());
      Files.createDirectories(Path.of(out));
      JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(out, platform + ".json").toFile(), pins);
    }
  }

  private static Run run(Path dir) throws Exception {
    Trainer.Result r = TrainFixtures.trainer(TestConfigs.small("atss_shapes.py", "data.train.num_images=32",
        "runner.max_epochs=8", "evaluation.interval=4", "checkpoint_config.interval=1"), dir).run();
    assertThat(r.iterations()).isEqualTo(32);
    ObjectNode metrics = (ObjectNode) JSON.readTree(dir.resolve("metrics.json").toFile());
    metrics.remove("train_seconds");
    metrics.remove("total_seconds");
    metrics.get("epochs").forEach(e -> ((ObjectNode) e).remove("eval_seconds"));
    assertThat(r.metrics().cocoAp()).isEqualTo(metrics.get("epochs").get(1).get("bbox_mAP").asDouble());
    float[] params = Checkpoint.read(dir.resolve("latest.ckpt")).params();
    ByteBuffer bytes = ByteBuffer.allocate(4 + 4 * params.length).putInt(params.length);
    for (float p : params) {
      bytes.putFloat(p);
    }
    return new Run(metrics, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array())));
  }

  private static JsonNode resource(String name) throws IOException {
    try (InputStream in = TrainingNumbersPinTest.class.getResourceAsStream(name)) {
      return in == null ? null : JSON.readTree(in);
    }
  }

  @Test
  void aTrainingReproducesItselfBitForBit() {
    assertThat(canvasAgain.metrics()).isEqualTo(canvas.metrics());
    assertThat(canvasAgain.paramsSha256()).isEqualTo(canvas.paramsSha256());
  }

  @Test
  void everyPlatformGivesTheReferenceLearningRatesAndFirstLossesToFloatRounding() throws IOException {
    assertAgreesWithReference(canvas, resource("atss_shapes_32_iterations_canvas.json"));
    assertAgreesWithReference(perLevel, resource("atss_shapes_32_iterations.json"));
  }

  private static void assertAgreesWithReference(Run run, JsonNode reference) {
    JsonNode got = run.metrics().get("iterations");
    JsonNode want = reference.get("iterations");
    assertThat(got.size()).isEqualTo(want.size());
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).get("lr").asDouble()).as("lr of iteration %d", i + 1).isEqualTo(want.get(i).get("lr").asDouble());
      assertThat(got.get(i).get("epoch").asInt()).isEqualTo(want.get(i).get("epoch").asInt());
    }
    for (int i = 0; i < FIRST_ITERATIONS; i++) {
      for (String loss : LOSSES) {
        double w = want.get(i).get(loss).asDouble();
        assertThat(got.get(i).get(loss).asDouble()).as("%s of iteration %d", loss, i + 1)
            .isCloseTo(w, within(Math.abs(w) * FIRST_ITERATIONS_TOLERANCE));
      }
    }
  }

  @Test
  void onAPinnedPlatformEveryLossMetricAndParameterIsPinned() throws IOException {
    JsonNode pins = resource("pins/" + platform + ".json");
    assumeTrue(pins != null, () -> "no training pins for platform " + platform + " (see the class comment to add them)");
    assertThat((JsonNode) canvas.metrics()).isEqualTo(pins.get("canvas").get("metrics"));
    assertThat(canvas.paramsSha256()).as("SHA-256 of the final parameters").isEqualTo(
        pins.get("canvas").get("params_sha256").asText());
    assertThat((JsonNode) perLevel.metrics()).isEqualTo(pins.get("per_level").get("metrics"));
    assertThat(perLevel.paramsSha256()).as("SHA-256 of the final parameters, per-level form").isEqualTo(
        pins.get("per_level").get("params_sha256").asText());
  }
}
