package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The resource limits of {@link ConfigLoader}: hostile input fails fast with a clear message. */
class ConfigLimitsTest {
  private static ConfigException fail(Executable call) {
    ConfigException e = catchThrowableOfType(ConfigException.class, call::execute);
    assertThat(e).isNotNull();
    return e;
  }

  private static String nestedLists(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  @Test
  void limitsAreTheDocumentedValues() {
    assertThat(ConfigLoader.MAX_DEPTH).isEqualTo(100);
    assertThat(ConfigLoader.MAX_STRING_LENGTH).isEqualTo(1_000_000);
    assertThat(ConfigLoader.MAX_SOURCE_SIZE).isEqualTo(16 * 1024 * 1024);
  }

  @Test
  void pythonNestingUpToTheLimitParsesAndOneMoreFails() {
    Object ok = ConfigLoader.fromPython("x = " + nestedLists(100), "d.py").get("x");
    assertThat(ok).isInstanceOf(List.class);
    ConfigException e = fail(() -> ConfigLoader.fromPython("x = " + nestedLists(101), "d.py"));
    assertThat(e).hasMessage("d.py:1:105: nesting deeper than 100 levels of dicts, lists and tuples"
        + " (ConfigLoader.MAX_DEPTH) (line 1, column 105)");
  }

  @Test
  void deeplyNestedInputFailsWithoutStackOverflow() {
    String deep = "x = " + "dict(a=".repeat(200_000);
    ConfigException e = fail(() -> ConfigLoader.fromPython(deep, "d.py"));
    assertThat(e.getMessage()).contains("nesting deeper than 100 levels");
    assertThat(fail(() -> ConfigLoader.fromJson("{\"a\":".repeat(200_000), "d.json")).getMessage())
        .contains("nesting deeper than 100 levels of objects and arrays (ConfigLoader.MAX_DEPTH)");
    for (String yaml : List.of("a: " + "[".repeat(200_000), "a:\n" + "- ".repeat(100_000) + "1\n",
        "a: " + "{b: ".repeat(200_000))) {
      assertThat(fail(() -> ConfigLoader.fromYaml(yaml, "d.yaml")).getMessage())
          .contains("nesting deeper than 100 levels of mappings and sequences (ConfigLoader.MAX_DEPTH)");
    }
  }

  @Test
  void nestingThroughReferencesCountsToo() {
    StringBuilder src = new StringBuilder("v0 = " + nestedLists(60) + "\n");
    src.append("v1 = ").append("[".repeat(41)).append("v0").append("]".repeat(41)).append('\n');
    ConfigException e = fail(() -> ConfigLoader.fromPython(src.toString(), "r.py"));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("nesting deeper than 100 levels of dicts, lists and tuples");
    String fits = "v0 = " + nestedLists(60) + "\nv1 = " + "[".repeat(40) + "v0" + "]".repeat(40) + "\n";
    assertThat(ConfigLoader.fromPython(fits, "r.py").keys()).containsExactly("v0", "v1");
  }

  @Test
  void jsonAndYamlNestingLimits() {
    assertThat(ConfigLoader.fromJson("{\"a\": " + nestedLists(99) + "}", "j").keys()).containsExactly("a");
    ConfigException json = fail(() -> ConfigLoader.fromJson("{\"a\": " + nestedLists(100) + "}", "d.json"));
    assertThat(json).hasMessage("d.json:1:106: nesting deeper than 100 levels of objects and arrays"
        + " (ConfigLoader.MAX_DEPTH) (line 1, column 106)");
    ConfigException yaml = fail(() -> ConfigLoader.fromYaml("a: " + nestedLists(100) + "\n", "d.yaml"));
    assertThat(yaml).hasMessage("d.yaml:1:103: nesting deeper than 100 levels of mappings and sequences"
        + " (ConfigLoader.MAX_DEPTH) (line 1, column 103)");
  }

  @Test
  void stringLengthLimit() {
    String max = "a".repeat(ConfigLoader.MAX_STRING_LENGTH);
    assertThat(ConfigLoader.fromPython("s = '" + max + "'", "s.py").getString("s")).hasSize(1_000_000);
    ConfigException py = fail(() -> ConfigLoader.fromPython("s = '" + max + "b'", "s.py"));
    assertThat(py).hasMessage("s.py:1:5: string literal longer than 1000000 characters"
        + " (ConfigLoader.MAX_STRING_LENGTH) (line 1, column 5)");
    String half = "a".repeat(600_000);
    ConfigException concat = fail(() -> ConfigLoader.fromPython("s = ('" + half + "'\n  '" + half + "')", "s.py"));
    assertThat(concat.getMessage()).startsWith("s.py:1:6: string literal longer than 1000000 characters");
    ConfigException json = fail(() -> ConfigLoader.fromJson("{\"s\": \"" + max + "b\"}", "s.json"));
    assertThat(json).hasMessage("s.json:1:7: string longer than 1000000 characters"
        + " (ConfigLoader.MAX_STRING_LENGTH) (line 1, column 7)");
    ConfigException yaml = fail(() -> ConfigLoader.fromYaml("s: " + max + "b\n", "s.yaml"));
    assertThat(yaml).hasMessage("s.yaml:1:4: string longer than 1000000 characters"
        + " (ConfigLoader.MAX_STRING_LENGTH) (line 1, column 4)");
  }

  @Test
  void sourceSizeLimit() {
    String big = "#".repeat(ConfigLoader.MAX_SOURCE_SIZE + 1);
    assertThat(fail(() -> ConfigLoader.fromPython(big, "big.py")))
        .hasMessage("big.py: source is 16777217 characters, more than 16777216 (ConfigLoader.MAX_SOURCE_SIZE)");
    assertThat(fail(() -> ConfigLoader.fromJson(big, "big.json")).getMessage()).contains("MAX_SOURCE_SIZE");
    assertThat(fail(() -> ConfigLoader.fromYaml(big, "big.yaml")).getMessage()).contains("MAX_SOURCE_SIZE");
    assertThat(fail(() -> ConfigLoader.fromPythonExpression(big, "e")).getMessage()).contains("MAX_SOURCE_SIZE");
  }

  @Test
  void referenceDoublingCannotExplode() {
    // Each line doubles the tree; 30 lines would expand to a billion values.
    StringBuilder src = new StringBuilder("v0 = [1, 1]\n");
    for (int i = 1; i <= 30; i++) {
      src.append("v").append(i).append(" = [v").append(i - 1).append(", v").append(i - 1).append("]\n");
    }
    ConfigException e = fail(() -> ConfigLoader.fromPython(src.toString(), "bomb.py"));
    assertThat(e.getMessage()).contains("more than 1000000 values in one config, counting each reference"
        + " to a variable in full (ConfigLoader.MAX_VALUES)");
  }

  @Test
  void yamlAliasDoublingCannotExplode() {
    StringBuilder src = new StringBuilder("a0: &a0 [1, 1]\n");
    for (int i = 1; i <= 24; i++) {
      src.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
          .append(i - 1).append("]\n");
    }
    ConfigException e = fail(() -> ConfigLoader.fromYaml(src.toString(), "bomb.yaml"));
    assertThat(e.getMessage()).contains("more than 1000000 values in one config, counting each alias in full");
  }

  @Test
  void recursiveYamlAliasIsRejected() {
    ConfigException e = fail(() -> ConfigLoader.fromYaml("a: &x [1, *x]\n", "r.yaml"));
    assertThat(e).hasMessage("r.yaml:1:11: recursive alias '*x': a collection cannot contain itself"
        + " (line 1, column 11)");
  }
}
