package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigWriter;
import org.junit.jupiter.api.Test;

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
}
