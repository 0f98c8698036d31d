package io.detkit.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigWriter;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped shapes configs, rewritten on {@code _base_} files, merge to exactly the configs they
 * replaced (kept as single files in {@code before_base/}): same keys in the same order, same
 * values, ints, floats, tuples and lists alike, so training runs and results are unchanged.
 */
class ShippedConfigsTest {
  @ParameterizedTest
  @ValueSource(strings = {"atss_shapes.py", "retinanet_shapes.py"})
  void mergedConfigIsExactlyTheSingleFileOne(String name) throws Exception {
    Config merged = ConfigLoader.fromFile(Path.of("configs", name));
    Config before = ConfigLoader.fromFile(
        Path.of(ShippedConfigsTest.class.getResource("/io/detkit/tools/configs/before_base/" + name).toURI()));
    assertThat(merged).isEqualTo(before);
    // the Python rendering tells 3 from 3.0, tuples from lists, and shows the key order
    assertThat(ConfigWriter.toPython(merged)).isEqualTo(ConfigWriter.toPython(before));
  }
}
