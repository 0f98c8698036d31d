package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ConfigLoader#fromFile} on multi-file configs written in MMDetection's layout
 * ({@code mmdet_style/}): each merged result equals, key by key and type for type, the dict that
 * CPython computes for the same files under mmcv 1.x's rules ({@code mmdet_style/expected/}).
 */
class ConfigBaseTest {
  static Path fixture(String relative) {
    try {
      return Paths.get(ConfigBaseTest.class.getResource("mmdet_style/" + relative).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static Config expected(String name) {
    return ConfigLoader.fromFile(fixture("expected/" + name + ".py")).getConfig("cfg");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "retinanet/retinanet_tiny_1x_coco.py, retinanet_tiny_1x_coco",
      "atss/atss_tiny_1x_coco.py, atss_tiny_1x_coco",
      "faster_rcnn/faster_rcnn_tiny.py, faster_rcnn_tiny",
      "rpn/rpn_tiny.py, rpn_tiny",
      "yaml/retinanet_ghm.yaml, retinanet_ghm"})
  void mergedConfigEqualsMmcvsKeyByKey(String file, String expectedName) {
    Config got = ConfigLoader.fromFile(fixture(file));
    assertThat(ConfigTrees.firstDifference(got, expected(expectedName), "")).isNull();
  }

  @Test
  void fourBaseChainWithDeleteReferencesAndArithmetic() {
    Config c = ConfigLoader.fromFile(fixture("retinanet/retinanet_tiny_1x_coco.py"));
    // model, dataset, schedule and runtime bases, in the order _base_ lists them, then the file's own keys
    assertThat(c.keys()).containsExactly("model", "dataset_type", "data_root", "img_norm_cfg", "img_scale",
        "train_pipeline", "test_pipeline", "data", "evaluation", "optimizer", "optimizer_config", "lr_config",
        "runner", "checkpoint_config", "log_config", "dist_params", "log_level", "load_from", "resume_from",
        "workflow", "work_dir");
    assertThat(ConfigWriter.oneLine(c.getConfig("optimizer"))).isEqualTo("dict(type='AdamW', lr=0.00125, weight_decay=0.0001)");
    assertThat(c.getConfig("model").getConfig("bbox_head").getConfig("loss_bbox").get("beta")).isEqualTo(1.0 / 9.0);
    assertThat(c.getConfig("model").getConfig("bbox_head").getConfig("loss_cls").getString("type"))
        .isEqualTo("FocalLoss");
    assertThat(c.getConfig("data").getConfig("val").getString("ann_file"))
        .isEqualTo("data/coco/annotations/instances_val2017.json");
    assertThat(c.getConfig("evaluation").toString()).isEqualTo("dict(interval=1, metric='bbox', save_best='auto')");
    assertThat(c.getString("work_dir")).isEqualTo("./work_dirs/retinanet_tiny_1x_coco");
    assertThat(c.getList("train_pipeline").get(4).toString())
        .isEqualTo("dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)");
  }

  @Test
  void deleteReplacesTheWholeDictAndDisappears() {
    Config head = ConfigLoader.fromFile(fixture("atss/atss_tiny_1x_coco.py")).getConfig("model").getConfig("bbox_head");
    assertThat(head.keys()).doesNotContain("_delete_").contains("loss_centerness");
    assertThat(head.getConfig("loss_bbox").toString()).isEqualTo("dict(type='GIoULoss', loss_weight=2.0)");
  }

  @Test
  void basesNamesCanBeUsedAfterTheBaseLine() {
    Config c = ConfigLoader.fromFile(fixture("names/uses_base_names.py"));
    assertThat(c.get("crop")).isEqualTo(PyTuple.of(java.util.List.of(666L, 400.0)));
    assertThat(c.getString("val_ann")).isEqualTo("data/coco/annotations/instances_val2017.json");
    assertThat(c.getString("data_root")).isEqualTo("data/coco/v2/");
    // the override replaces the base's value in place, as every merge does
    assertThat(c.keys()).startsWith("dataset_type", "data_root");
  }

  @Test
  void aMissingBaseNamesTheFileThatAskedAndItsIncluders() {
    Path child = fixture("errors/missing/child.py");
    Path middle = fixture("errors/missing/middle.py");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(child));
    assertThat(e).hasMessage("config file not found: " + middle.resolveSibling("not_there.py") + " (a _base_ of "
        + middle + ":1:1, itself a _base_ of " + child + ")");
  }

  @Test
  void aCycleNamesItsFiles() {
    Path a = fixture("errors/cycle/a.py");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(a));
    assertThat(e).hasMessage("cycle in _base_ files: " + a + " -> " + a.resolveSibling("b.py") + " -> "
        + a.resolveSibling("c.json") + " -> " + a);
  }

  @Test
  void aKeyInTwoBasesIsAnErrorNamingBoth() {
    Path child = fixture("errors/dup/child.py");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(child));
    assertThat(e).hasMessage("shared: duplicate key 'shared' among the bases of " + child + ": defined by both "
        + child.resolveSibling("one.py") + " and " + child.resolveSibling("two.yaml")
        + " (mmcv allows a key in one base only; override it in " + child + " instead)");
  }

  @Test
  void aMissingBaseReferenceNamesWhereItIsAndTheBases() {
    Path child = fixture("errors/ref/child.py");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(child));
    assertThat(e).hasMessage(child + ":2:12: {{_base_.shared.nope}} does not exist: _base_.shared has no key 'nope'"
        + " (bases of " + child + ": " + fixture("errors/dup/one.py") + ")");
  }

  @Test
  void aDictOverAValueThatIsNotADictNeedsDelete() {
    Path child = fixture("errors/merge/child.py");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(child));
    assertThat(e).hasMessage("optimizer_config.grad_clip: cannot merge the dict optimizer_config.grad_clip of "
        + child + " into its base's value, which is NoneType (None); add _delete_=True to the dict to replace the"
        + " base's value");
  }
}
