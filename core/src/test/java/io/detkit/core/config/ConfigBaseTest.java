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
      "retinanet/retinanet_tiny_streets.py, retinanet_tiny_streets",
      "atss/atss_tiny_streets.py, atss_tiny_streets",
      "faster_rcnn/faster_rcnn_tiny.py, faster_rcnn_tiny",
      "rpn/rpn_tiny.py, rpn_tiny",
      "yaml/retinanet_ghm.yaml, retinanet_ghm"})
  void mergedConfigEqualsMmcvsKeyByKey(String file, String expectedName) {
    Config got = ConfigLoader.fromFile(fixture(file));
    assertThat(ConfigTrees.firstDifference(got, expected(expectedName), "")).isNull();
  }

  @Test
  void fourBaseChainWithDeleteReferencesAndArithmetic() {
    Config c = ConfigLoader.fromFile(fixture("retinanet/retinanet_tiny_streets.py"));
    // model, dataset, schedule and runtime bases, in the order _base_ lists them, then the file's own keys
    assertThat(c.keys()).containsExactly("model", "dataset_type", "data_root", "pixel_stats", "img_scale",
        "loading", "train_pipeline", "test_pipeline", "data", "evaluation", "optimizer", "optimizer_config",
        "lr_config", "runner", "checkpoint_config", "log_config", "custom_hooks", "log_level", "load_from",
        "resume_from", "workflow", "work_dir");
    assertThat(ConfigWriter.oneLine(c.getConfig("optimizer"))).isEqualTo("dict(type='AdamW', lr=0.0015, weight_decay=0.05)");
    // a dict over a dict merges: the base's loss_weight stays beside the new type and beta
    assertThat(c.getConfig("model").getConfig("bbox_head").getConfig("loss_bbox").toString())
        .isEqualTo("dict(type='SmoothL1Loss', loss_weight=0.5, beta=" + (1.0 / 7.0) + ")");
    assertThat(c.getConfig("model").getConfig("bbox_head").getConfig("loss_cls").getString("type"))
        .isEqualTo("FocalLoss");
    assertThat(c.getConfig("data").getConfig("val").getString("ann_file"))
        .isEqualTo("datasets/streets/labels/dusk.json");
    assertThat(c.getConfig("evaluation").toString())
        .isEqualTo("dict(interval=2, metric='bbox', classwise=True, save_best='bbox_mAP')");
    assertThat(c.getString("work_dir")).isEqualTo("./work_dirs/retinanet_tiny_streets");
    // list concatenation, then '**' spreading a dict into dict(...)
    assertThat(c.getList("train_pipeline").get(4).toString())
        .isEqualTo("dict(type='Normalize', mean=[110.0, 112.5, 108.25], std=[52.5, 51.0, 53.75], to_rgb=False)");
    assertThat(c.getConfig("model").getConfig("bbox_head").getConfig("bbox_coder").getDoubleArray("target_means"))
        .containsExactly(0.0, 0.0, 0.0, 0.0);
  }

  @Test
  void deleteReplacesTheWholeDictAndDisappears() {
    Config head = ConfigLoader.fromFile(fixture("atss/atss_tiny_streets.py")).getConfig("model").getConfig("bbox_head");
    assertThat(head.keys()).doesNotContain("_delete_").contains("loss_centerness");
    assertThat(head.getConfig("loss_bbox").toString()).isEqualTo("dict(type='GIoULoss', loss_weight=1.5)");
  }

  @Test
  void basesNamesCanBeUsedAfterTheBaseLine() {
    Config c = ConfigLoader.fromFile(fixture("names/uses_base_names.py"));
    assertThat(c.get("crop")).isEqualTo(PyTuple.of(java.util.List.of(480L, 272.0)));
    assertThat(c.getString("val_ann")).isEqualTo("datasets/streets/labels/dusk.json");
    assertThat(c.getString("data_root")).isEqualTo("datasets/streets/v2/");
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
