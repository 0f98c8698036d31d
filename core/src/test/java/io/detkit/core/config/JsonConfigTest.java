package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JsonConfigTest {
  private static ConfigException fail(String json) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromJson(json, "cfg.json"));
    assertThat(e).as("expected a ConfigException for: %s", json).isNotNull();
    return e;
  }

  @Test
  void integersBecomeLongsAndOtherNumbersDoubles() {
    Config c = ConfigLoader.fromJson(
        "{\"num\": 256, \"neg\": -1, \"big\": 9223372036854775807, \"f\": 0.5, \"g\": 2.0, \"e\": 1e-4}", "j");
    assertThat(c.get("num")).isEqualTo(256L);
    assertThat(c.get("neg")).isEqualTo(-1L);
    assertThat(c.get("big")).isEqualTo(Long.MAX_VALUE);
    assertThat(c.get("f")).isEqualTo(0.5);
    assertThat(c.get("g")).isInstanceOf(Double.class).isEqualTo(2.0);
    assertThat(c.get("e")).isEqualTo(1e-4);
  }

  @Test
  void nestedObjectsArraysAndConstantsKeepOrderAndPaths() {
    Config c = ConfigLoader.fromJson("{\"model\": {\"type\": \"RetinaNet\", \"strides\": [8, 16],"
        + " \"flags\": [true, false, null], \"head\": {\"gamma\": 2.0}}, \"a\": \"x\"}", "j");
    assertThat(c.keys()).containsExactly("model", "a");
    Config model = c.getConfig("model");
    assertThat(model.keys()).containsExactly("type", "strides", "flags", "head");
    assertThat(model.getIntArray("strides")).containsExactly(8, 16);
    assertThat(model.getList("flags")).isEqualTo(Arrays.asList(true, false, null));
    assertThat(model.getConfig("head").path()).isEqualTo("model.head");
  }

  @Test
  void nanAndInfinityAreNotJsonAndAreRejectedWithTheirPosition() {
    assertThat(fail("{\"a\": 1,\n \"b\": NaN}")).hasMessage("cfg.json:2:7: 'NaN' is not a JSON number: NaN and Infinity"
        + " are not JSON and a config number must be finite (line 2, column 7)");
    assertThat(fail("{\"b\": -Infinity}").getMessage()).contains("'-Infinity' is not a JSON number");
    assertThat(fail("{\"b\": [Infinity]}").getMessage()).contains("'Infinity' is not a JSON number");
  }

  @Test
  void aRepeatedKeyIsAnErrorNamingTheKeyAndItsPosition() {
    assertThat(fail("{\"a\": {\"x\": 1,\n  \"x\": 2}}")).hasMessage("cfg.json:2:3: duplicate key 'x' in one JSON object"
        + " (the first would be silently lost) (line 2, column 3)");
  }

  @Test
  void syntaxErrorCarriesJacksonLineAndColumn() {
    ConfigException e = fail("{\n  \"a\": 1,\n  \"b\": ]\n}");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(8);
    assertThat(e.getMessage()).startsWith("cfg.json:3:8: invalid JSON: Unexpected character (']'")
        .endsWith("(line 3, column 8)");
  }

  @Test
  void trailingCommaAndCommentsAreSyntaxErrors() {
    assertThat(fail("{\"a\": 1,}").getMessage()).startsWith("cfg.json:1:9: invalid JSON: Unexpected character ('}'");
    assertThat(fail("{\"a\": 1} // c").getMessage()).startsWith("cfg.json:1:10: invalid JSON: Unexpected character ('/'");
  }

  @Test
  void topLevelMustBeAnObject() {
    assertThat(fail("[1, 2]"))
        .hasMessage("cfg.json:1:1: a JSON config must be an object at the top level; got an array (line 1, column 1)");
    assertThat(fail("  ")).hasMessage("cfg.json:1:1: empty JSON document; expected an object (line 1, column 1)");
    assertThat(fail("{} {}"))
        .hasMessage("cfg.json:1:4: unexpected content after the top-level object: an object (line 1, column 4)");
  }

  @Test
  void integerOutsideLongRangeIsRejected() {
    assertThat(fail("{\"a\": 99999999999999999999}")).hasMessage(
        "cfg.json:1:7: integer 99999999999999999999 does not fit a 64-bit signed integer (line 1, column 7)");
  }

  @Test
  void typeHintsAreJustData() {
    // No data binding is involved, so a polymorphic-typing payload stays a plain list.
    Config c = ConfigLoader.fromJson("{\"x\": [\"java.net.URL\", \"http://example.invalid\"]}", "j");
    assertThat(c.getList("x")).containsExactly("java.net.URL", "http://example.invalid");
  }
}
