package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

class ConfigWriterTest {
  private static final String RETINANET = String.join("\n",
      "model = dict(",
      "    type='RetinaNet',",
      "    backbone=dict(type='ResNet', depth=50, out_indices=(0, 1, 2, 3)),",
      "    bbox_head=dict(",
      "        type='RetinaHead',",
      "        num_classes=80,",
      "        loss_cls=dict(",
      "            type='FocalLoss',",
      "            use_sigmoid=True,",
      "            gamma=2.0,",
      "            alpha=0.25,",
      "            loss_weight=1.0,",
      "        ),",
      "    ),",
      ")",
      "lr = 0.0001",
      "");

  @Test
  void prettyPrintsNestedDictsWithinEightyColumns() {
    Config c = ConfigLoader.fromPython("model = dict(type='RetinaNet', backbone=dict(type='ResNet', depth=50,"
        + " out_indices=(0, 1, 2, 3)), bbox_head=dict(type='RetinaHead', num_classes=80, loss_cls=dict("
        + "type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)))\nlr = 1e-4\n", "r.py");
    String text = ConfigWriter.toPython(c);
    assertThat(text).isEqualTo(RETINANET);
    assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).isLessThan(80));
    assertThat(ConfigTrees.firstDifference(ConfigLoader.fromPython(text, "w.py"), c, "")).isNull();
  }

  @Test
  void scalarsAreWrittenAsPythonReprs() {
    Config c = Config.of("t", true, "n", null, "i", -3L, "f", 2.0, "tiny", 1e-5, "big", 1e16, "mid", 123456.5,
        "inf", Double.POSITIVE_INFINITY, "ninf", Double.NEGATIVE_INFINITY, "nz", -0.0,
        "q", "it's", "dq", "say \"hi\"", "both", "'\"", "ctl", "a\nb\t\\\u0001\u00e9\u2028");
    assertThat(ConfigWriter.toPython(c)).isEqualTo(String.join("\n",
        "t = True",
        "n = None",
        "i = -3",
        "f = 2.0",
        "tiny = 1e-05",
        "big = 1e+16",
        "mid = 123456.5",
        "inf = 1e999",
        "ninf = -1e999",
        "nz = -0.0",
        "q = \"it's\"",
        "dq = 'say \"hi\"'",
        "both = '\\'\"'",
        "ctl = 'a\\nb\\t\\\\\\x01\u00e9\\u2028'",
        ""));
    assertThat(ConfigTrees.firstDifference(ConfigLoader.fromPython(ConfigWriter.toPython(c), "w.py"), c, "")).isNull();
  }

  @Test
  void pythonFloatReprMatchesPython() {
    assertThat(ConfigWriter.pyFloat(0.1)).isEqualTo("0.1");
    assertThat(ConfigWriter.pyFloat(1e-4)).isEqualTo("0.0001");
    assertThat(ConfigWriter.pyFloat(1.5e-5)).isEqualTo("1.5e-05");
    assertThat(ConfigWriter.pyFloat(1e15)).isEqualTo("1000000000000000.0");
    assertThat(ConfigWriter.pyFloat(1.2345678901234568e17)).isEqualTo("1.2345678901234568e+17");
    assertThat(ConfigWriter.pyFloat(100.0)).isEqualTo("100.0");
    assertThat(ConfigWriter.pyFloat(5e-324)).isEqualTo("5e-324");
    assertThat(ConfigWriter.pyFloat(-2.5e3)).isEqualTo("-2500.0");
  }

  @Test
  void tuplesListsAndNonIdentifierKeys() {
    Config c = Config.of("x", Config.of(Map.of("my-key", 1L)), "e", PyTuple.of(List.of()), "one",
        PyTuple.of(List.of(1L)), "l", List.of(), "kw", Config.of("class", 1L));
    String text = ConfigWriter.toPython(c);
    assertThat(text).isEqualTo("x = {'my-key': 1}\ne = ()\none = (1,)\nl = []\nkw = {'class': 1}\n");
    assertThat(ConfigTrees.firstDifference(ConfigLoader.fromPython(text, "w.py"), c, "")).isNull();
  }

  @Test
  void longListsBreakOneItemPerLine() {
    List<Object> many = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      many.add((long) i * 1000);
    }
    Config c = Config.of("steps", PyTuple.of(many));
    String text = ConfigWriter.toPython(c);
    assertThat(text).startsWith("steps = (\n    0,\n    1000,\n").endsWith("    29000,\n)\n");
    assertThat(ConfigTrees.firstDifference(ConfigLoader.fromPython(text, "w.py"), c, "")).isNull();
  }

  @Test
  void unwritableConfigsAreRejected() {
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigWriter.toPython(Config.of("my-key", 1))))
        .hasMessage("my-key: a top-level key must be a Python identifier that is not a keyword to be written as"
            + " 'name = ...'; got 'my-key'");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigWriter.toPython(Config.of("None", 1))))
        .hasMessageContaining("got 'None'");
    assertThat(catchThrowableOfType(ConfigException.class,
        () -> ConfigWriter.toPython(Config.of("a", Config.of("b", List.of(1.0, Double.NaN))))))
        .hasMessage("a.b[1]: NaN has no Python literal form; it cannot be written to a Python config");
  }

  @Test
  void jsonRefusesNonFiniteNumbersNamingThePath() {
    Config c = ConfigLoader.fromPython("nan_ok = dict(v=[1.0, 1e999])\n", "r.py");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigWriter.toJson(c)))
        .hasMessage("nan_ok.v[1]: Infinity has no JSON form (JSON numbers are finite; NaN and Infinity are not JSON)");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigWriter.toJson(Config.of("n", Double.NaN))))
        .hasMessageStartingWith("n: NaN has no JSON form");
  }

  @Test
  void jsonRoundTripReadsTuplesAsLists() {
    Config c = ConfigLoader.fromPython(RETINANET, "r.py").with("neg_iou_thr", PyTuple.of(List.of(0.1, 0.4)));
    String json = ConfigWriter.toJson(c);
    assertThat(json).contains("\"out_indices\": [ 0, 1, 2, 3 ]").endsWith("}\n");
    Config back = ConfigLoader.fromJson(json, "w.json");
    assertThat(back.isTuple("neg_iou_thr")).isFalse();
    assertThat(ConfigTrees.firstDifference(back, ConfigTrees.tuplesAsLists(c), "")).isNull();
  }

  @Property(tries = 300)
  void pythonRoundTripIsExact(@ForAll("configs") Config c) {
    String text = ConfigWriter.toPython(c);
    Config back = ConfigLoader.fromPython(text, "p.py");
    assertThat(ConfigTrees.firstDifference(back, c, "")).as(text).isNull();
  }

  @Property(tries = 300)
  void jsonRoundTripIsExactUpToTuples(@ForAll("configs") Config c) {
    Assume.that(!any(c, v -> v instanceof Double d && !Double.isFinite(d)));
    String json = ConfigWriter.toJson(c);
    Config back = ConfigLoader.fromJson(json, "p.json");
    assertThat(ConfigTrees.firstDifference(back, ConfigTrees.tuplesAsLists(c), "")).as(json).isNull();
  }

  @Provide
  Arbitrary<Config> configs() {
    Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1)
        .ofMaxLength(8).filter(k -> !PyParser.isKeyword(k) && !k.equals("dict"));
    return Arbitraries.maps(names, value(3)).ofMaxSize(5).map(ConfigWriterTest::ordered).map(Config::of);
  }

  private static Map<String, Object> ordered(Map<String, Object> m) {
    return new LinkedHashMap<>(m);
  }

  private Arbitrary<Object> value(int depth) {
    Arbitrary<Object> longs = Arbitraries.longs().map(x -> x);
    Arbitrary<Object> doubles = Arbitraries.longs().map(Double::longBitsToDouble)
        .filter(d -> !Double.isNaN(d)).map(d -> d);
    Arbitrary<Object> friendly = Arbitraries.of(0.0, -0.0, 0.5, 1.0, 2.0, 1e-4, 1e16, -1.0, 1e-300, 5e-324,
        Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).map(d -> d);
    Arbitrary<Object> strings = Arbitraries.strings().all().ofMaxLength(12).map(s -> s);
    Arbitrary<Object> bools = Arbitraries.of(true, false).map(b -> b);
    Arbitrary<Object> scalars = Arbitraries.oneOf(longs, doubles, friendly, strings, bools).injectNull(0.1);
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<Object> child = Arbitraries.lazy(() -> value(depth - 1));
    Arbitrary<String> keys = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
        Arbitraries.strings().all().ofMaxLength(6));
    Arbitrary<Object> lists = child.list().ofMaxSize(12).map(l -> (Object) new ArrayList<>(l));
    Arbitrary<Object> tuples = child.list().ofMaxSize(4).map(l -> (Object) PyTuple.of(l));
    Arbitrary<Object> dicts = Arbitraries.maps(keys, child).ofMaxSize(6).map(m -> (Object) new LinkedHashMap<>(m));
    return Arbitraries.frequencyOf(Tuple.of(5, scalars), Tuple.of(1, lists), Tuple.of(1, tuples), Tuple.of(2, dicts));
  }

  @Test
  void arbitraryValuesCoverTheInterestingShapes() {
    // Guards the generator above: the round-trip properties are only as good as what it produces.
    List<Config> sample = configs().sampleStream().limit(300).toList();
    assertThat(sample).anySatisfy(c -> assertThat(any(c, v -> v instanceof PyTuple)).isTrue());
    assertThat(sample).anySatisfy(c -> assertThat(any(c, v -> v instanceof Config n
        && n.keys().stream().anyMatch(k -> !PyLexer.isIdentifier(k)))).isTrue());
    assertThat(sample).anySatisfy(c -> assertThat(any(c, v -> v instanceof Double d && Double.isInfinite(d))).isTrue());
    assertThat(sample).anySatisfy(c -> assertThat(any(c, v -> v instanceof String s && s.chars()
        .anyMatch(ch -> Character.isSurrogate((char) ch)))).isTrue());
    assertThat(sample).anySatisfy(c -> assertThat(ConfigWriter.toPython(c)).contains("\n        "));
  }

  private static boolean any(Object v, java.util.function.Predicate<Object> p) {
    if (p.test(v)) {
      return true;
    }
    if (v instanceof Config c) {
      return c.keys().stream().anyMatch(k -> any(c.get(k), p));
    }
    return v instanceof List<?> l && l.stream().anyMatch(x -> any(x, p));
  }
}
