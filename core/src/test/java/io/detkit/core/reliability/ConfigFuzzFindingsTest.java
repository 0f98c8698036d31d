package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for what fuzzing {@link ConfigLoader} found (see {@code ConfigLoaderFuzzTest}); each
 * finding's input is also kept in the fuzz seed corpus.
 */
class ConfigFuzzFindingsTest {
  @Test
  void aTopLevelKeyNamedDictIsRefusedByTheWriterInsteadOfWrittenUnreadably() {
    // Found by the yaml target: 'dict: ...' loads, was written as 'dict = ...', which the Python
    // reader (rightly) refuses, so the written file could not be read back.
    Config c = ConfigLoader.fromYaml("dict:\n  type: X\n", "f.yaml");
    assertThatThrownBy(() -> ConfigWriter.toPython(c)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("'dict'");
    assertThatThrownBy(() -> ConfigLoader.fromPython("dict = dict(type='X')\n", "f.py"))
        .isInstanceOf(ConfigException.class);
    // Nested, 'dict' is an ordinary keyword argument and round-trips.
    Config nested = ConfigLoader.fromYaml("model:\n  dict: 1\n", "f.yaml");
    assertThat(ConfigLoader.fromPython(ConfigWriter.toPython(nested), "back.py")).isEqualTo(nested);
  }

  @Test
  void aBrokenPercentEscapeInAYamlTagIsAConfigExceptionWithItsPosition() {
    // Found by the yaml target: snakeyaml-engine threw a bare IllegalArgumentException ("Tag must
    // not contain leading or trailing spaces.") for the tag '!%a', outside the ConfigException contract.
    for (String yaml : new String[] {"x: !%a", "x: !%a\n", "a: 1\nx: !foo%zz bar\n", "- !%\n"}) {
      ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromYaml(yaml, "t.yaml"));
      assertThat(e).as(yaml).isNotNull();
      assertThat(e.line()).as(yaml).isPositive();
      assertThat(e.column()).as(yaml).isPositive();
      assertThat(e.getMessage()).as(yaml).startsWith("t.yaml:");
    }
  }

  @Test
  void aNulInABaseFileNameIsAConfigExceptionNamingTheIncluder(@TempDir Path dir) throws IOException {
    // Found by the baseChain target: Path.resolve threw InvalidPathException for "./a\0\0\0.py".
    Path child = Files.writeString(dir.resolve("child.py"), "_base_ = './a\u0000.py'\nx = 1\n");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(child));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).startsWith(child + ":1:1: _base_ names an invalid file name './a\\0.py'");
  }
}
