package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigOverrides;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loading a config never runs code and never exhausts the machine: code-execution payloads in each
 * format are refused with a {@link ConfigException} that says where, type hints stay plain data, and
 * the nesting, string and {@code --cfg-options} limits fail fast with errors that name the limit.
 */
class ConfigSafetyTest {
  private static ConfigException refused(Runnable load) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(load::run);
    assertThat(t).isInstanceOf(ConfigException.class);
    return (ConfigException) t;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "x = __import__('os').system('id')\n",
      "x = eval('1 + 1')\n",
      "x = exec('import os')\n",
      "x = open('/etc/passwd').read()\n",
      "import os\n",
      "from os import system\n",
      "x = (lambda: 0)()\n",
      "x = [c for c in 'abc']\n",
      "x = f'{1}'\n",
      "x = ().__class__.__bases__[0].__subclasses__()\n",
      "x = getattr(dict, 'fromkeys')\n",
      "x = dict(a=1)\ny = x['a'][1:]\n",
      "x = 1 if 1 < 2 else 0\n",
      "x = 'a' % ()\n",
      "x = {{_base_.model}}\n"})
  void pythonConfigsThatWouldNeedEvaluationAreRefusedWithTheirPosition(String source) {
    ConfigException e = refused(() -> ConfigLoader.fromPython(source, "evil.py"));
    assertThat(e.line()).isPositive();
    assertThat(e.column()).isPositive();
    assertThat(e.getMessage()).startsWith("evil.py:" + e.line() + ":" + e.column() + ": ");
  }

  @Test
  void theImportCallIsNamed() {
    ConfigException e = refused(() -> ConfigLoader.fromPython("model = dict(a=1)\nx = __import__('os')\n", "m.py"));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("__import__");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "x: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://localhost/\"]]]]\n",
      "x: !!java.lang.ProcessBuilder [[id]]\n",
      "x: !<tag:yaml.org,2002:java.io.File> /etc/passwd\n",
      "x: !!python/object/apply:os.system [id]\n",
      "x: !local {a: 1}\n"})
  void yamlTagsBeyondTheCoreSchemaAreRefusedWithTheirPosition(String source) {
    ConfigException e = refused(() -> ConfigLoader.fromYaml(source, "evil.yaml"));
    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isPositive();
    assertThat(e.getMessage()).contains("is not allowed");
  }

  @Test
  void jsonHasNoPolymorphicTyping() {
    Config c = ConfigLoader.fromJson("{\"@class\": \"java.lang.ProcessBuilder\", \"command\": [\"id\"],"
        + " \"x\": [\"java.net.URL\", \"http://localhost/\"], \"@type\": {\"@class\": \"javax.naming.InitialContext\"}}",
        "evil.json");
    assertThat(c.get("@class")).isEqualTo("java.lang.ProcessBuilder");
    assertThat(c.getList("x")).containsExactly("java.net.URL", "http://localhost/");
    assertThat(c.getConfig("@type").get("@class")).isEqualTo("javax.naming.InitialContext");
  }

  @Test
  void cfgOptionValuesAreNeverEvaluated() {
    Config c = ConfigOverrides.apply(Config.empty(), List.of("x=__import__('os').system('id')", "y=os.system"));
    assertThat(c.get("x")).isInstanceOf(String.class).isEqualTo("__import__('os').system('id')");
    assertThat(c.get("y")).isEqualTo("os.system");
    assertThat(refused(() -> ConfigOverrides.apply(Config.empty(), List.of("x=dict(a=__import__('os'))"))))
        .hasMessageContaining("x=dict(a=__import__('os'))");
  }

  @Test
  void nestingBeyondTheLimitFailsCleanlyInEveryFormat() {
    int deep = 100_000;
    String py = "x = " + "[".repeat(deep) + "]".repeat(deep) + "\n";
    String json = "{\"x\": " + "[".repeat(deep) + "]".repeat(deep) + "}";
    String yaml = "x: " + "[".repeat(deep) + "]".repeat(deep) + "\n";
    for (ConfigException e : new ConfigException[] {
        refused(() -> ConfigLoader.fromPython(py, "deep.py")),
        refused(() -> ConfigLoader.fromJson(json, "deep.json")),
        refused(() -> ConfigLoader.fromYaml(yaml, "deep.yaml"))}) {
      assertThat(e.getMessage()).contains("MAX_DEPTH");
    }
    String option = "a" + ".a".repeat(ConfigLoader.MAX_DEPTH + 1) + "=1";
    assertThat(refused(() -> ConfigOverrides.apply(Config.empty(), List.of(option)))).hasMessageContaining(
        "MAX_DEPTH");
    Map<String, Object> nested = Map.of();
    for (int i = 0; i < 10; i++) {
      nested = Map.of("k", nested);
    }
    assertThat(Config.of(nested).getConfig("k").size()).isEqualTo(1);
  }

  @Test
  void longStringsAndLargeOptionListsFailCleanly() {
    String big = "x".repeat(ConfigLoader.MAX_STRING_LENGTH + 1);
    for (ConfigException e : new ConfigException[] {
        refused(() -> ConfigLoader.fromPython("x = '" + big + "'\n", "long.py")),
        refused(() -> ConfigLoader.fromJson("{\"x\": \"" + big + "\"}", "long.json")),
        refused(() -> ConfigLoader.fromYaml("x: " + big + "\n", "long.yaml"))}) {
      assertThat(e.getMessage()).contains("MAX_STRING_LENGTH");
    }
    assertThat(refused(() -> ConfigOverrides.apply(Config.empty(),
        Collections.nCopies(ConfigOverrides.MAX_OPTIONS + 1, "a=1")))).hasMessageContaining("MAX_OPTIONS");
    assertThat(refused(() -> ConfigOverrides.apply(Config.empty(),
        List.of("a=" + "1".repeat(ConfigOverrides.MAX_OPTION_LENGTH))))).hasMessageContaining("MAX_OPTION_LENGTH");
  }

  @Test
  void expansionBombsFailCleanly() {
    StringBuilder py = new StringBuilder("a0 = [1, 1]\n");
    for (int i = 1; i < 40; i++) {
      py.append('a').append(i).append(" = [a").append(i - 1).append(", a").append(i - 1).append("]\n");
    }
    assertThat(refused(() -> ConfigLoader.fromPython(py.toString(), "bomb.py"))).hasMessageContaining("MAX_VALUES");
    StringBuilder yaml = new StringBuilder("a0: &a0 [1, 1]\n");
    for (int i = 1; i < 40; i++) {
      yaml.append('a').append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1)
          .append("]\n");
    }
    assertThat(refused(() -> ConfigLoader.fromYaml(yaml.toString(), "bomb.yaml"))).hasMessageContaining("MAX_VALUES");
  }
}
