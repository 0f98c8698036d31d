package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class YamlConfigTest {
  private static ConfigException fail(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromYaml(yaml, "cfg.yaml"));
    assertThat(e).as("expected a ConfigException for: %s", yaml).isNotNull();
    return e;
  }

  @Test
  void coreSchemaScalars() {
    Config c = ConfigLoader.fromYaml(String.join("\n",
        "i: 256",
        "neg: -1",
        "hex: 0x1F",
        "oct: 0o17",
        "f: 0.5",
        "g: 2.0",
        "e: 1e-4",
        "inf: -.inf",
        "nan: .NaN",
        "t: true",
        "F: False",
        "n: ~",
        "n2: null",
        "empty:",
        "s: hello",
        "q: '1'",
        "yes: yes",
        "env: ${HOME}",
        "tagged: !!float 1",
        "str_int: !!str 12",
        ""), "y");
    assertThat(c.get("i")).isEqualTo(256L);
    assertThat(c.get("neg")).isEqualTo(-1L);
    assertThat(c.get("hex")).isEqualTo(31L);
    assertThat(c.get("oct")).isEqualTo(15L);
    assertThat(c.get("f")).isEqualTo(0.5);
    assertThat(c.get("g")).isInstanceOf(Double.class).isEqualTo(2.0);
    assertThat(c.get("e")).isEqualTo(1e-4);
    assertThat(c.get("inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat((Double) c.get("nan")).isNaN();
    assertThat(c.get("t")).isEqualTo(Boolean.TRUE);
    assertThat(c.get("F")).isEqualTo(Boolean.FALSE);
    assertThat(c.has("n") && c.get("n") == null).isTrue();
    assertThat(c.has("n2") && c.get("n2") == null).isTrue();
    assertThat(c.has("empty") && c.get("empty") == null).isTrue();
    assertThat(c.get("s")).isEqualTo("hello");
    assertThat(c.get("q")).isEqualTo("1");
    assertThat(c.get("yes")).as("YAML 1.1 booleans are strings under the core schema").isEqualTo("yes");
    assertThat(c.get("env")).as("no environment substitution").isEqualTo("${HOME}");
    assertThat(c.get("tagged")).isEqualTo(1.0);
    assertThat(c.get("str_int")).isEqualTo("12");
  }

  @Test
  void nestedMappingsSequencesAndAliases() {
    Config c = ConfigLoader.fromYaml(String.join("\n",
        "base: &loss",
        "  type: FocalLoss",
        "  gamma: 2.0",
        "model:",
        "  strides: [8, 16]",
        "  flags: [true, false, null]",
        "  loss_cls: *loss",
        ""), "y");
    assertThat(c.keys()).containsExactly("base", "model");
    Config model = c.getConfig("model");
    assertThat(model.getIntArray("strides")).containsExactly(8, 16);
    assertThat(model.getList("flags")).isEqualTo(Arrays.asList(true, false, null));
    assertThat(model.getConfig("loss_cls").getDouble("gamma")).isEqualTo(2.0);
    assertThat(model.getConfig("loss_cls").path()).isEqualTo("model.loss_cls");
  }

  @Test
  void emptyDocumentIsAnEmptyConfig() {
    assertThat(ConfigLoader.fromYaml("", "y").keys()).isEmpty();
    assertThat(ConfigLoader.fromYaml("# nothing\n", "y").keys()).isEmpty();
  }

  @Test
  void classTagIsRejectedWithoutInstantiatingAnything() {
    ConfigException e = fail("exploit: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader "
        + "[[!!java.net.URL [\"http://example.invalid/\"]]]]\n");
    assertThat(e).hasMessage("cfg.yaml:1:10: YAML tag '!!javax.script.ScriptEngineManager' is not allowed on a"
        + " sequence: only the core schema's !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are accepted"
        + " (configs never instantiate classes) (line 1, column 10)");
  }

  @Test
  void localAndOtherNonCoreTagsAreRejected() {
    assertThat(fail("a: 1\nb: !foo bar\n").getMessage())
        .startsWith("cfg.yaml:2:4: YAML tag '!foo' is not allowed on a scalar: only the core schema's");
    assertThat(fail("a: !!binary aGVsbG8=\n").getMessage())
        .startsWith("cfg.yaml:1:4: YAML tag '!!binary' is not allowed on a scalar");
    assertThat(fail("a: !!set {x, y}\n").getMessage())
        .startsWith("cfg.yaml:1:4: YAML tag '!!set' is not allowed on a mapping");
    assertThat(fail("a: !ENV ${HOME}\n").getMessage())
        .startsWith("cfg.yaml:1:4: YAML tag '!ENV' is not allowed on a scalar");
    assertThat(fail("x: !!int abc\n"))
        .hasMessage("cfg.yaml:1:4: 'abc' is not a valid !!int (line 1, column 4)");
  }

  @Test
  void syntaxErrorReportsLineAndColumn() {
    ConfigException e = fail("a: 1\nb: [1, 2\nc: 3\n");
    assertThat(e.line()).isGreaterThanOrEqualTo(2);
    assertThat(e.column()).isGreaterThanOrEqualTo(1);
    assertThat(e.getMessage()).startsWith("cfg.yaml:" + e.line() + ":" + e.column() + ": invalid YAML: ");
    ConfigException tab = fail("a:\n\tb: 1\n");
    assertThat(tab.line()).isEqualTo(2);
    assertThat(tab.getMessage()).contains("invalid YAML");
  }

  @Test
  void topLevelAndKeysMustBeStrings() {
    assertThat(fail("- 1\n- 2\n"))
        .hasMessage("cfg.yaml:1:1: a YAML config must be a mapping at the top level; got a sequence (line 1, column 1)");
    assertThat(fail("42\n"))
        .hasMessage("cfg.yaml:1:1: a YAML config must be a mapping at the top level; got a scalar (line 1, column 1)");
    assertThat(fail("a:\n  1: x\n"))
        .hasMessage("cfg.yaml:2:3: mapping keys must be strings; got 1 (line 2, column 3)");
    assertThat(fail("? [a]\n: 1\n").getMessage()).startsWith("cfg.yaml:1:3: mapping keys must be strings; got a sequence");
    assertThat(fail("a: 99999999999999999999\n"))
        .hasMessage("cfg.yaml:1:4: integer 99999999999999999999 does not fit a 64-bit signed integer (line 1, column 4)");
  }

  @Test
  void multipleDocumentsAreRejected() {
    assertThat(fail("a: 1\n---\nb: 2\n").getMessage()).contains("invalid YAML");
  }
}
