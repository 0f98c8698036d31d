package io.detkit.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.tools.Main;
import io.detkit.tools.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every command's bad-input path: one clear message on stderr, a non-zero exit code, no stack trace. */
class CommandErrorsTest {
  static final String ATSS = "configs/atss_shapes.py";

  @TempDir
  Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static void assertCleanError(Run r, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).startsWith("detkit: error: ");
    for (String f : fragments) {
      assertThat(r.err()).contains(f);
    }
    assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  private static String[] with(String command, String config, String... rest) {
    List<String> a = new ArrayList<>(List.of(command, config));
    if (command.equals("test")) {
      a.add("missing.ckpt");
    }
    a.addAll(List.of(rest));
    return a.toArray(new String[0]);
  }

  /** Every command (all read a config). */
  static Stream<String> commands() {
    return Stream.of("train", "test", "show-targets", "print-config");
  }

  /** The commands that build the model and the data from the config before reading anything else. */
  static Stream<String> buildingCommands() {
    // `test` checks its checkpoint argument first, so it is exercised by the checkpoint cases.
    return Stream.of("train", "show-targets");
  }

  @ParameterizedTest
  @MethodSource("commands")
  void missingConfigFile(String command) {
    assertCleanError(run(with(command, "no/such/config.py")), "config file not found: no/such/config.py");
  }

  @ParameterizedTest
  @MethodSource("commands")
  void syntaxErrorNamesLineAndColumn(String command) throws Exception {
    Path cfg = dir.resolve("broken.py");
    Files.writeString(cfg, "model = dict(\n    type='ATSS',\n    backbone=dict(type='TinyConvNet',, depth=1))\n");
    assertCleanError(run(with(command, cfg.toString())), "broken.py:3:", "line 3, column");
  }

  @ParameterizedTest
  @MethodSource("buildingCommands")
  void unknownTypeSuggestsTheClosest(String command) {
    assertCleanError(run(with(command, ATSS, "--cfg-options", "model.bbox_head.loss_cls.type=FocalLos")),
        "model.bbox_head.loss_cls.type", "unknown loss type 'FocalLos'", "did you mean 'FocalLoss'");
  }

  @ParameterizedTest
  @MethodSource("buildingCommands")
  void unknownKeyIsNamed(String command) {
    assertCleanError(run(with(command, ATSS, "--cfg-options", "model.bbox_head.loss_cls.gama=2.0")),
        "model.bbox_head.loss_cls.gama", "unknown parameter 'gama'");
  }

  @Test
  void unknownDatasetKeyIsNamed() {
    assertCleanError(run("train", ATSS, "--cfg-options", "data.train.num_image=5"), "data.train.num_image");
  }

  @Test
  void malformedOverrideIsNamed() {
    assertCleanError(run("print-config", ATSS, "--cfg-options", "model.bbox_head.loss_cls.gamma"),
        "malformed config option", "key=value");
  }

  @Test
  void unreadableImageNamesTheFile() throws Exception {
    Files.createDirectories(dir.resolve("img"));
    Files.writeString(dir.resolve("img/broken.png"), "this is not a PNG");
    TestConfigs.png(dir.resolve("img/ok.png"), 64, 64);
    Path ann = dir.resolve("ann.json");
    Files.writeString(ann, "{\"images\": [{\"id\": 1, \"file_name\": \"broken.png\", \"width\": 64, \"height\": 64}],"
        + " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [2, 2, 20, 20],"
        + " \"area\": 400}], \"categories\": [{\"id\": 1, \"name\": \"a\"}, {\"id\": 2, \"name\": \"b\"},"
        + " {\"id\": 3, \"name\": \"c\"}]}");
    // _delete_=True replaces the shapes dataset instead of merging into it (mmcv's --cfg-options rule).
    String coco = "dict(_delete_=True, type='CocoDataset', ann_file='" + ann + "', img_prefix='" + dir.resolve("img")
        + "', pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True)])";
    for (String command : List.of("train", "show-targets")) {
      assertCleanError(run(with(command, ATSS, "--work-dir", dir.resolve("w").toString(), "--cfg-options",
          "data.train=" + coco, "data.val=" + coco)), "cannot read image", "broken.png");
    }
    assertCleanError(run("test", ATSS, "missing.ckpt", "--cfg-options", "data.test=" + coco), "checkpoint not found");
  }

  @Test
  void commandSpecificInput() throws Exception {
    assertCleanError(run("test", ATSS, dir.resolve("none.ckpt").toString()), "checkpoint not found");
    Path junk = dir.resolve("junk.ckpt");
    Files.writeString(junk, "not a zip");
    assertCleanError(run("test", ATSS, junk.toString()), "not a detkit checkpoint");
    assertCleanError(run("show-targets", ATSS, "--index", "5000", "--out", dir.resolve("t.png").toString()),
        "--index must be in [0, 2000)");
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(delimiter = '|', textBlock = """
                                                    | missing command
      print-config configs/atss_shapes.py --format xml | --format must be py or json
      train configs/atss_shapes.py --sed 3             | --sed
      test configs/atss_shapes.py                      | CHECKPOINT
      """)
  void usageErrorsExitWithTwo(String args, String message) {
    Run r = run(args == null ? new String[0] : args.split(" "));
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(message);
  }

  @Test
  void debugAddsTheStackTrace() {
    Run r = run("print-config", "no/such/config.py", "--debug");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("config file not found").contains("\tat ");
  }

  @Test
  void printConfigShowsTheOverriddenValue() {
    Run r = run("print-config", ATSS, "--cfg-options", "model.bbox_head.loss_cls.gamma=1.5");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("gamma=1.5").contains("type='ATSSHead'");
    Run json = run("print-config", ATSS, "--format", "json");
    assertThat(json.out()).contains("\"type\": \"ATSSHead\"");
  }
}
