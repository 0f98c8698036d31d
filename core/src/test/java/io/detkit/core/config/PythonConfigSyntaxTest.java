package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every literal form of MMDetection config files that {@link ConfigLoader#fromPython} accepts. */
class PythonConfigSyntaxTest {
  private static Config py(String source) {
    return ConfigLoader.fromPython(source, "test.py");
  }

  private static Object value(String literal) {
    return py("x = " + literal).get("x");
  }

  @Test
  void seedFocalLossSnippetParsesWithTypes() {
    Config c = ConfigLoader.fromPythonExpression(
        "dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)", "seed");
    assertThat(c.keys()).containsExactly("type", "use_sigmoid", "gamma", "alpha", "loss_weight");
    assertThat(c.getString("type")).isEqualTo("FocalLoss");
    assertThat(c.get("use_sigmoid")).isEqualTo(Boolean.TRUE);
    assertThat(c.get("gamma")).isEqualTo(2.0);
    assertThat(c.get("alpha")).isEqualTo(0.25);
    assertThat(c.get("loss_weight")).isInstanceOf(Double.class).isEqualTo(1.0);
  }

  @Test
  void seedTrainCfgSnippetParsesAsKeywordAssignment() {
    Config c = py("train_cfg=dict(rpn=dict(sampler=dict(type='RandomSampler', num=256, pos_fraction=0.5,"
        + " neg_pos_ub=-1, add_gt_as_proposals=False)))");
    Config sampler = c.getConfig("train_cfg").getConfig("rpn").getConfig("sampler");
    assertThat(sampler.path()).isEqualTo("train_cfg.rpn.sampler");
    assertThat(sampler.getString("type")).isEqualTo("RandomSampler");
    assertThat(sampler.get("num")).isEqualTo(256L);
    assertThat(sampler.get("pos_fraction")).isEqualTo(0.5);
    assertThat(sampler.get("neg_pos_ub")).isEqualTo(-1L);
    assertThat(sampler.get("add_gt_as_proposals")).isEqualTo(Boolean.FALSE);
  }

  @Test
  void topLevelNamesKeepFirstAssignmentOrderAndLaterValueWins() {
    Config c = py("b = 1\na = 2\nb = 3\n");
    assertThat(c.keys()).containsExactly("b", "a");
    assertThat(c.get("b")).isEqualTo(3L);
  }

  @Test
  void bareNameRefersToEarlierTopLevelValue() {
    Config c = py("train_cfg = dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5))\n"
        + "model = dict(type='RetinaNet', train_cfg=train_cfg)\n");
    assertThat(c.getConfig("model").getConfig("train_cfg").getConfig("assigner").getDouble("pos_iou_thr"))
        .isEqualTo(0.5);
    assertThat(c.getConfig("model").getConfig("train_cfg").path()).isEqualTo("model.train_cfg");
  }

  @Test
  void referenceSeesTheValueAtTheTimeOfUse() {
    Config c = py("a = 1\nb = [a, a]\na = 2\n");
    assertThat(c.getList("b")).containsExactly(1L, 1L);
    assertThat(c.get("a")).isEqualTo(2L);
  }

  @Test
  void dictLiteralsWithBothQuoteStylesAndDictCall() {
    Config c = py("x = {'a': 1, \"b\": dict(c=2)}");
    Config x = c.getConfig("x");
    assertThat(x.keys()).containsExactly("a", "b");
    assertThat(x.getConfig("b").get("c")).isEqualTo(2L);
    assertThat(value("{}")).isEqualTo(Config.empty());
    assertThat(value("dict()")).isEqualTo(Config.empty());
    assertThat(((Config) value("{'k': 1, 'k': 2}")).get("k")).as("later duplicate key wins").isEqualTo(2L);
  }

  @Test
  void listsAndTuples() {
    assertThat(value("[]")).isEqualTo(List.of());
    assertThat(value("[1, 2.5, 'a', None, True]")).isEqualTo(Arrays.asList(1L, 2.5, "a", null, true));
    Object empty = value("()");
    assertThat(empty).isInstanceOf(PyTuple.class);
    assertThat((List<?>) empty).isEmpty();
    Object one = value("(1,)");
    assertThat(one).isInstanceOf(PyTuple.class);
    assertThat((List<?>) one).isEqualTo(List.of(1L));
    Object two = value("(1, 2)");
    assertThat(two).isInstanceOf(PyTuple.class);
    assertThat((List<?>) two).isEqualTo(List.of(1L, 2L));
    assertThat(value("(1)")).as("parentheses without a comma only group").isEqualTo(1L);
    assertThat(value("((0.1, 0.4))")).isInstanceOf(PyTuple.class);
    Object nested = value("[(8, 4), 16]");
    assertThat(nested).isNotInstanceOf(PyTuple.class);
    assertThat(((List<?>) nested).get(0)).isInstanceOf(PyTuple.class);
    assertThat(py("x = 1, 2").getList("x")).isEqualTo(List.of(1L, 2L));
    assertThat(py("x = 1, 2").isTuple("x")).as("a bare tuple on the right of '='").isTrue();
    assertThat(py("x = 'a',\ny = 2").getList("x")).isEqualTo(List.of("a"));
    assertThat(py("x = [1]").isTuple("x")).isFalse();
    assertThat(py("x = (1, 2)").isTuple("x")).isTrue();
  }

  @Test
  void constants() {
    Config c = py("t = True\nf = False\nn = None\n");
    assertThat(c.get("t")).isEqualTo(Boolean.TRUE);
    assertThat(c.get("f")).isEqualTo(Boolean.FALSE);
    assertThat(c.has("n")).isTrue();
    assertThat(c.get("n")).isNull();
  }

  @Test
  void integers() {
    assertThat(value("0")).isEqualTo(0L);
    assertThat(value("42")).isEqualTo(42L);
    assertThat(value("-1")).isEqualTo(-1L);
    assertThat(value("+7")).isEqualTo(7L);
    assertThat(value("1_000")).isEqualTo(1000L);
    assertThat(value("1_000_000")).isEqualTo(1_000_000L);
    assertThat(value("00")).isEqualTo(0L);
    assertThat(value("0x1F")).isEqualTo(31L);
    assertThat(value("0o17")).isEqualTo(15L);
    assertThat(value("0b101")).isEqualTo(5L);
    assertThat(value("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(value("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void floats() {
    assertThat(value("1e-4")).isEqualTo(1e-4);
    assertThat(value(".5")).isEqualTo(0.5);
    assertThat(value("1.")).isEqualTo(1.0);
    assertThat(value("-2.5E3")).isEqualTo(-2500.0);
    assertThat(value("1.e2")).isEqualTo(100.0);
    assertThat(value("1E+2")).isEqualTo(100.0);
    assertThat(value("1_0.2_5")).isEqualTo(10.25);
    assertThat(value("2.0")).isInstanceOf(Double.class);
    assertThat(value("1e999")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(value("-0.0")).isEqualTo(-0.0);
  }

  @Test
  void stringEscapes() {
    assertThat(value("'it\\'s'")).isEqualTo("it's");
    assertThat(value("\"say \\\"hi\\\"\"")).isEqualTo("say \"hi\"");
    assertThat(value("'a\\nb\\tc\\\\d'")).isEqualTo("a\nb\tc\\d");
    assertThat(value("'\\x41\\u00e9\\U0001F600\\101\\0'")).isEqualTo("A\u00e9\uD83D\uDE00A\0");
    assertThat(value("'\\N{LATIN SMALL LETTER E WITH ACUTE}'")).isEqualTo("\u00e9");
    assertThat(value("'\\a\\b\\f\\v\\r'")).isEqualTo("\u0007\b\f\u000b\r");
    assertThat(value("'\\d'")).as("unknown escapes keep the backslash, as in Python").isEqualTo("\\d");
    assertThat(value("'a\\\nb'")).as("backslash-newline continues the string").isEqualTo("ab");
    assertThat(value("\"'\"")).isEqualTo("'");
    assertThat(value("'\"'")).isEqualTo("\"");
  }

  @Test
  void rawTripleQuotedAndUnicodeStrings() {
    assertThat(value("r'C:\\new\\d'")).isEqualTo("C:\\new\\d");
    assertThat(value("R\"a\\\"b\"")).isEqualTo("a\\\"b");
    assertThat(value("u'x'")).isEqualTo("x");
    assertThat(value("'''a\n'b'\nc'''")).isEqualTo("a\n'b'\nc");
    assertThat(value("\"\"\"x\"\"\"")).isEqualTo("x");
    assertThat(value("'h\u00e9llo \u4e16\u754c'")).isEqualTo("h\u00e9llo \u4e16\u754c");
  }

  @Test
  void adjacentStringLiteralsConcatenate() {
    assertThat(value("'data/' \"coco/\" 'train'")).isEqualTo("data/coco/train");
    assertThat(value("('a'\n 'b')")).isEqualTo("ab");
  }

  @Test
  void commentsTrailingCommasAndNewlinesInsideBrackets() {
    Config c = py("# header comment\n"
        + "\n"
        + "model = dict(  # the detector\n"
        + "    type='RetinaNet',\n"
        + "    strides=[\n"
        + "        8,  # P3\n"
        + "        16,\n"
        + "    ],\n"
        + "    pair=(1, 2,),\n"
        + "    d={'a': 1,},\n"
        + ")\n"
        + "# trailing comment");
    Config model = c.getConfig("model");
    assertThat(model.getIntArray("strides")).containsExactly(8, 16);
    assertThat(model.getList("pair")).containsExactly(1L, 2L);
    assertThat(model.getConfig("d").get("a")).isEqualTo(1L);
    assertThat(c.keys()).containsExactly("model");
  }

  @Test
  void lineContinuationsSemicolonsDocstringsAndLineEndings() {
    Config c = py("'''A module docstring.'''\r\na = \\\n  1; b = 2\r\nc = 3;\n");
    assertThat(c.keys()).containsExactly("a", "b", "c");
    assertThat(c.get("a")).isEqualTo(1L);
    assertThat(c.get("b")).isEqualTo(2L);
    assertThat(py("\uFEFFa = 1").get("a")).as("a byte-order mark is skipped").isEqualTo(1L);
    assertThat(py("").keys()).isEmpty();
    assertThat(py("# only a comment\n\n").keys()).isEmpty();
  }

  @Test
  void retinanetStyleConfigParses() {
    String src = String.join("\n",
        "_base_ = ['../_base_/datasets/coco_detection.py']",
        "model = dict(",
        "    type='RetinaNet',",
        "    bbox_head=dict(",
        "        type='RetinaHead',",
        "        num_classes=80,",
        "        anchor_generator=dict(",
        "            type='AnchorGenerator',",
        "            octave_base_scale=4,",
        "            scales_per_octave=3,",
        "            ratios=[0.5, 1.0, 2.0],",
        "            strides=[8, 16, 32, 64, 128]),",
        "        loss_cls=dict(",
        "            type='FocalLoss',",
        "            use_sigmoid=True,",
        "            gamma=2.0,",
        "            alpha=0.25,",
        "            loss_weight=1.0),",
        "        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),",
        "    train_cfg=dict(",
        "        assigner=dict(",
        "            type='MaxIoUAssigner',",
        "            pos_iou_thr=0.5,",
        "            neg_iou_thr=0.4,",
        "            min_pos_iou=0,",
        "            ignore_iof_thr=-1),",
        "        allowed_border=-1,",
        "        pos_weight=-1,",
        "        debug=False),",
        "    test_cfg=dict(nms_pre=1000, nms=dict(type='nms', iou_threshold=0.5)))",
        "optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001)",
        "lr_config = dict(policy='step', warmup='linear', warmup_iters=500, warmup_ratio=0.001, step=[8, 11])",
        "");
    Config c = py(src);
    assertThat(c.keys()).containsExactly("_base_", "model", "optimizer", "lr_config");
    Config head = c.getConfig("model").getConfig("bbox_head");
    assertThat(head.getConfig("loss_cls").getDouble("gamma")).isEqualTo(2.0);
    assertThat(head.getConfig("anchor_generator").getDoubleArray("ratios")).containsExactly(0.5, 1.0, 2.0);
    assertThat(c.getConfig("model").getConfig("train_cfg").getConfig("assigner").get("min_pos_iou"))
        .isEqualTo(0L);
    assertThat(c.getConfig("optimizer").get("weight_decay")).isEqualTo(1e-4);
    assertThat(c.getList("_base_")).containsExactly("../_base_/datasets/coco_detection.py");
  }

  @Test
  void expressionParsesEitherDictForm() {
    assertThat(ConfigLoader.fromPythonExpression("{'type': 'MaxIoUAssigner', 'neg_iou_thr': (0.1, 0.4)}", "e")
        .isTuple("neg_iou_thr")).isTrue();
    assertThat(ConfigLoader.fromPythonExpression("\n  dict(a=1)  # comment\n\n", "e").get("a")).isEqualTo(1L);
  }
}
