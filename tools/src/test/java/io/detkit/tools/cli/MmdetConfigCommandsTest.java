package io.detkit.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.tools.TestConfigs;
import io.detkit.tools.cli.CommandErrorsTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code print-config} and {@code show-targets} on configs with {@code _base_} chains, MMDetection's own layout included. */
class MmdetConfigCommandsTest {
  @TempDir
  Path dir;

  private static Path mmdetRetinaNet() throws Exception {
    return Path.of(MmdetConfigCommandsTest.class.getResource(
        "/io/detkit/tools/configs/mmdet_layout/detectors/retina_resnet_fpn_coco.py").toURI());
  }

  @Test
  void printConfigPrintsTheMergedConfig() throws Exception {
    Run r = CommandErrorsTest.run("print-config", "configs/atss_shapes.py");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("model = dict(\n    type='ATSS',").doesNotContain("_base_ =").doesNotContain("_delete_");
    assertThat(ConfigLoader.fromPython(r.out(), "printed.py")).isEqualTo(ConfigLoader.fromFile(Path.of(
        "configs/atss_shapes.py")));
    Run mmdet = CommandErrorsTest.run("print-config", mmdetRetinaNet().toString(), "--cfg-options", "optimizer.lr=0.005");
    assertThat(mmdet.code()).as(mmdet.err()).isZero();
    Config printed = ConfigLoader.fromPython(mmdet.out(), "printed.py");
    assertThat(printed.getConfig("optimizer").getDouble("lr")).isEqualTo(0.005);
    assertThat(printed.getConfig("data").getConfig("train").getString("ann_file"))
        .isEqualTo("datasets/coco2017/annotations/train.json");
    Config merged = ConfigLoader.fromFile(mmdetRetinaNet());
    assertThat(merged.getConfig("optimizer").getDouble("lr")).isEqualTo(0.01);
    assertThat(merged.getConfig("optimizer").getDouble("momentum")).isEqualTo(0.9);
    assertThat(merged.getConfig("evaluation").getInt("interval")).isEqualTo(2);
    assertThat(merged.getConfig("evaluation").getString("metric")).isEqualTo("bbox");
  }

  @Test
  void showTargetsDrawsAnMmdetectionConfigOnShapes() throws Exception {
    Path png = dir.resolve("t.png");
    Run r = CommandErrorsTest.run("show-targets", mmdetRetinaNet().toString(), "--shapes", "--out", png.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.size(png)).isPositive();
    // five FPN levels (strides 8 .. 128), from the config's anchor generator
    assertThat(r.out()).matches("(?s).*positive anchors per level \\[\\d+, \\d+, \\d+, \\d+, \\d+\\]\\s*");
  }

  @Test
  void showTargetsDrawsAnMmdetectionConfigOnACocoDataset() throws Exception {
    TestConfigs.png(dir.resolve("img/a.png"), 96, 64);
    Path ann = dir.resolve("ann.json");
    Files.writeString(ann, "{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 96, \"height\": 64}],"
        + " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [10, 8, 40, 30],"
        + " \"area\": 1200, \"iscrowd\": 0}], \"categories\": [{\"id\": 1, \"name\": \"a\"}]}");
    Path png = dir.resolve("coco.png");
    Run r = CommandErrorsTest.run("show-targets", mmdetRetinaNet().toString(), "--out", png.toString(),
        "--cfg-options", "data.train.ann_file=" + ann, "data.train.img_prefix=" + dir.resolve("img"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(": 1 gt boxes, positive anchors per level [");
    assertThat(Files.size(png)).isPositive();
  }
}
