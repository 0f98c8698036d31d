package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --cfg-options} semantics of mmcv's DictAction and Config.merge_from_dict. */
class ConfigOverridesTest {
  private static final Config BASE = ConfigLoader.fromPython(String.join("\n",
      "model = dict(",
      "    type='RetinaNet',",
      "    backbone=dict(type='ResNet', depth=50),",
      "    bbox_head=dict(",
      "        type='RetinaHead',",
      "        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)),",
      "    test_cfg=None)",
      "pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', keep_ratio=True)]",
      "img_scale = (1333, 800)",
      ""), "base.py");

  private static Config apply(String... options) {
    return ConfigOverrides.apply(BASE, Arrays.asList(options));
  }

  private static ConfigException fail(String... options) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> apply(options));
    assertThat(e).isNotNull();
    return e;
  }

  private static Config lossCls(Config c) {
    return c.getConfig("model").getConfig("bbox_head").getConfig("loss_cls");
  }

  @Test
  void scalarLiteralsReplaceLeaves() {
    Config c = apply("model.bbox_head.loss_cls.gamma=1.5", "model.bbox_head.loss_cls.use_sigmoid=False",
        "model.backbone.depth=101", "model.test_cfg=None", "model.type='FCOS'");
    assertThat(lossCls(c).get("gamma")).isEqualTo(1.5);
    assertThat(lossCls(c).get("use_sigmoid")).isEqualTo(Boolean.FALSE);
    assertThat(c.getConfig("model").getConfig("backbone").get("depth")).isEqualTo(101L);
    assertThat(c.getConfig("model").get("test_cfg")).isNull();
    assertThat(c.getConfig("model").getString("type")).isEqualTo("FCOS");
    assertThat(lossCls(c).get("alpha")).as("untouched siblings stay").isEqualTo(0.25);
    assertThat(BASE.getConfig("model").getConfig("backbone").get("depth")).as("the base is immutable").isEqualTo(50L);
  }

  @Test
  void barewordsBecomeStringsAndCommaListsBecomeLists() {
    Config c = apply("model.bbox_head.loss_cls.reduction=sum", "classes=cat,dog,bird", "ids=1,2,3",
        "mixed=a,1,2.5,True", "one=a,", "path=data/coco/train2017");
    assertThat(lossCls(c).get("reduction")).isEqualTo("sum");
    assertThat(c.getList("classes")).containsExactly("cat", "dog", "bird");
    assertThat(c.getList("ids")).containsExactly(1L, 2L, 3L);
    assertThat(c.getList("mixed")).containsExactly("a", 1L, 2.5, true);
    assertThat(c.getList("one")).containsExactly("a");
    assertThat(c.getString("path")).isEqualTo("data/coco/train2017");
  }

  @Test
  void containerLiteralsKeepTheirPythonTypes() {
    Config c = apply("ratios=[0.5,1.0,2.0]", "img_scale=(1,2)", "model.neck=dict(type='FPN', num_outs=5)",
        "nested=[(1,2),[3,4]]");
    assertThat(c.getDoubleArray("ratios")).containsExactly(0.5, 1.0, 2.0);
    assertThat(c.isTuple("img_scale")).isTrue();
    assertThat(c.getList("img_scale")).containsExactly(1L, 2L);
    assertThat(c.getConfig("model").getConfig("neck").getString("type")).isEqualTo("FPN");
    assertThat(c.getConfig("model").getConfig("neck").path()).isEqualTo("model.neck");
    assertThat(c.getList("nested").get(0)).isInstanceOf(PyTuple.class);
  }

  @Test
  void mmcvFallbacksForNumbersAndBooleans() {
    assertThat(ConfigOverrides.parseValue("true")).isEqualTo(Boolean.TRUE);
    assertThat(ConfigOverrides.parseValue("FALSE")).isEqualTo(Boolean.FALSE);
    assertThat(ConfigOverrides.parseValue("inf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(ConfigOverrides.parseValue("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat((Double) ConfigOverrides.parseValue("nan")).isNaN();
    assertThat(ConfigOverrides.parseValue("007")).isEqualTo(7L);
    assertThat(ConfigOverrides.parseValue("1e-4")).isEqualTo(1e-4);
    assertThat(ConfigOverrides.parseValue("  12  ")).isEqualTo(12L);
    assertThat(ConfigOverrides.parseValue("")).isEqualTo("");
    assertThat(ConfigOverrides.parseValue("none")).isEqualTo("none");
    assertThat(ConfigOverrides.parseValue("None")).isNull();
    assertThat(ConfigOverrides.parseValue("'a,b'")).isEqualTo("a,b");
    assertThat(ConfigOverrides.parseValue("os.system('x')"))
        .as("code is never evaluated; it stays a string").isEqualTo("os.system('x')");
  }

  @Test
  void missingIntermediateDictsAreCreated() {
    Config c = apply("optimizer.paramwise_cfg.norm_decay_mult=0.0");
    Config pw = c.getConfig("optimizer").getConfig("paramwise_cfg");
    assertThat(pw.get("norm_decay_mult")).isEqualTo(0.0);
    assertThat(pw.path()).isEqualTo("optimizer.paramwise_cfg");
  }

  @Test
  void dictValueMergesIntoExistingDictUnlessDeleteIsSet() {
    Config merged = apply("model.bbox_head.loss_cls=dict(gamma=1.5)");
    assertThat(lossCls(merged).getString("type")).isEqualTo("FocalLoss");
    assertThat(lossCls(merged).get("gamma")).isEqualTo(1.5);
    assertThat(lossCls(merged).keys()).containsExactly("type", "use_sigmoid", "gamma", "alpha", "loss_weight");

    Config replaced = apply("model.bbox_head.loss_cls=dict(_delete_=True, type='GHMC', bins=30)");
    assertThat(lossCls(replaced).keys()).containsExactly("type", "bins");
    assertThat(lossCls(replaced).get("bins")).isEqualTo(30L);

    Config fresh = apply("model.neck=dict(_delete_=True, type='FPN')");
    assertThat(fresh.getConfig("model").getConfig("neck").keys()).containsExactly("type");
  }

  @Test
  void numericSegmentsIndexLists() {
    Config c = apply("pipeline.1.keep_ratio=False", "pipeline.0=dict(to_float32=True)");
    List<Object> pipeline = c.getList("pipeline");
    assertThat(((Config) pipeline.get(1)).get("keep_ratio")).isEqualTo(Boolean.FALSE);
    assertThat(((Config) pipeline.get(0)).keys()).containsExactly("type", "to_float32");
    assertThat(((Config) pipeline.get(1)).path()).isEqualTo("pipeline[1]");
  }

  @Test
  void laterOptionsWin() {
    Config c = apply("a=1", "a=2", "b.c=1", "b=3");
    assertThat(c.get("a")).isEqualTo(2L);
    assertThat(c.get("b")).isEqualTo(3L);
  }

  @Test
  void settingInsideANonDictNamesThePath() {
    assertThat(fail("model.backbone.type.name=x")).hasMessage("model.backbone.type: cannot set"
        + " 'model.backbone.type.name' (option 'model.backbone.type.name=x'): 'model.backbone.type' is a string"
        + " ('ResNet'), not a dict");
    assertThat(fail("model.test_cfg.nms_pre=1000")).hasMessage("model.test_cfg: cannot set"
        + " 'model.test_cfg.nms_pre' (option 'model.test_cfg.nms_pre=1000'): 'model.test_cfg' is None, not a dict");
    assertThat(fail("img_scale.0=5")).hasMessage("img_scale: cannot set 'img_scale.0' (option 'img_scale.0=5'):"
        + " 'img_scale' is a tuple ((1333, 800)), not a dict");
    assertThat(fail("pipeline.type=x")).hasMessage("pipeline: cannot set 'pipeline.type' (option 'pipeline.type=x'):"
        + " 'pipeline' is a list; select an item by its index, as in pipeline.0");
    assertThat(fail("pipeline.5.type=x")).hasMessage("pipeline: cannot set 'pipeline.5.type'"
        + " (option 'pipeline.5.type=x'): index 5 is out of range for 'pipeline', a list of 2 items");
  }

  @Test
  void mergingADictIntoANonDictIsAnError() {
    assertThat(fail("model.backbone.depth=dict(a=1)")).hasMessage("model.backbone.depth: cannot merge a dict into"
        + " 'model.backbone.depth', which is an integer (50); add _delete_=True to the dict to replace the value"
        + " instead");
    Config c = apply("model.backbone.depth=dict(_delete_=True, a=1)");
    assertThat(c.getConfig("model").getConfig("backbone").getConfig("depth").keys()).containsExactly("a");
  }

  @Test
  void malformedOptionsAreQuoted() {
    assertThat(fail("model.backbone.depth")).hasMessage("malformed config option 'model.backbone.depth':"
        + " expected key=value, for example model.bbox_head.loss_cls.gamma=1.5");
    assertThat(fail("=1")).hasMessage("malformed config option '=1': the key before '=' is empty");
    assertThat(fail("a..b=1")).hasMessage("malformed key 'a..b' in option 'a..b=1': empty segment between dots");
    assertThat(fail(".a=1")).hasMessage("malformed key '.a' in option '.a=1': empty segment between dots");
    assertThat(fail("a=[1,2")).hasMessage("option 'a=[1,2': the value looks like a Python literal but does not"
        + " parse: option 'a=[1,2':1:5: unexpected end of input: '[' opened at line 1, column 1 is never closed"
        + " (line 1, column 5)");
    assertThat(fail("a=dict(x=os.getcwd())").getMessage()).isEqualTo("option 'a=dict(x=os.getcwd())': the value"
        + " looks like a Python literal but does not parse: option 'a=dict(x=os.getcwd())':1:8: only literals and"
        + " dict(...) are allowed; got attribute access 'os.getcwd' (line 1, column 8)");
    assertThat(catchThrowableOfType(ConfigException.class,
        () -> ConfigOverrides.apply(BASE, Collections.singletonList(null)))).hasMessage("config option 0 is null");
  }

  @Test
  void optionCountAndLengthLimits() {
    assertThat(ConfigOverrides.MAX_OPTIONS).isEqualTo(1000);
    assertThat(ConfigOverrides.MAX_OPTION_LENGTH).isEqualTo(65536);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add("k" + i + "=" + i);
    }
    assertThat(ConfigOverrides.apply(Config.empty(), many).size()).isEqualTo(1000);
    many.add("x=1");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigOverrides.apply(Config.empty(), many)))
        .hasMessage("too many config options: 1001, at most 1000 (ConfigOverrides.MAX_OPTIONS)");
    String longOption = "a=" + "x".repeat(65535);
    assertThat(catchThrowableOfType(ConfigException.class,
        () -> ConfigOverrides.apply(Config.empty(), List.of(longOption))))
        .hasMessage("config option 0 ('a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...') is 65537 characters, more than"
            + " 65536 (ConfigOverrides.MAX_OPTION_LENGTH)");
    String deepKey = "a" + ".a".repeat(100) + "=1";
    assertThat(catchThrowableOfType(ConfigException.class,
        () -> ConfigOverrides.apply(Config.empty(), List.of(deepKey))).getMessage())
        .contains("has 101 segments, more than 100 (ConfigLoader.MAX_DEPTH)");
  }

  @Test
  void withPathSetsWithoutMerging() {
    Config c = BASE.withPath("model.bbox_head.loss_cls", Config.of("type", "GHMC"));
    assertThat(lossCls(c).keys()).containsExactly("type");
    Config d = Config.empty().withPath("a.b.c", 3);
    assertThat(d.getConfig("a").getConfig("b").get("c")).isEqualTo(3L);
    assertThat(catchThrowableOfType(ConfigException.class, () -> BASE.withPath("model.type.x", 1)))
        .hasMessage("model.type: cannot set 'model.type.x' (withPath(\"model.type.x\")): 'model.type' is a string"
            + " ('RetinaNet'), not a dict");
  }
}
