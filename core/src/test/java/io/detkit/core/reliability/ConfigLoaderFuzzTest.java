package io.detkit.core.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigOverrides;
import io.detkit.core.config.ConfigWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Jazzer fuzz targets for every way text becomes a config: the Python parser (files, with their
 * operators, subscripts and {@code **}, and single literals), the JSON and YAML loaders,
 * {@code _base_} chains of files ({@link #baseChain}), and {@code --cfg-options}.
 *
 * <p>The contract under test: whatever the bytes, a loader returns a config or throws
 * {@link ConfigException} (with a 1-based line and column when it reports a position); no other
 * exception, no {@link StackOverflowError}, no hang (10 s per input when replaying; libFuzzer
 * reports slow inputs when fuzzing). A config that loads is written back as Python (or refused by
 * the writer with a {@link ConfigException}, for NaN or a top-level key that cannot be a Python
 * assignment target) and must read back equal, and must also survive being written as JSON.
 * Findings are pinned by {@link ConfigFuzzFindingsTest}.
 *
 * <p>Under {@code mvn verify} these run in regression mode over the checked-in seeds in
 * {@code src/test/resources/io/detkit/core/reliability/ConfigLoaderFuzzTestInputs/<method>/}. To fuzz
 * one target for real (10 minutes each, as set by {@code maxDuration}), from the repository root:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl core test -Djazzer.hooks=true -Dtest='ConfigLoaderFuzzTest#yaml' \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * New coverage-increasing inputs go to {@code .cifuzz-corpus/}; a finding is written as a
 * {@code crash-*} file into the inputs directory, where it becomes a regression case.
 */
class ConfigLoaderFuzzTest {
  /** Text of the input: invalid UTF-8 becomes U+FFFD, as it would reading a damaged file. */
  private static String text(byte[] data) {
    return new String(data, UTF_8);
  }

  /** Whether Jazzer is fuzzing (rather than replaying the seeds). */
  private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
      && !System.getenv("JAZZER_FUZZ").isEmpty();

  /** Per-input time limit while replaying seeds. */
  private static final Duration LIMIT = Duration.ofSeconds(10);

  /**
   * Runs {@code check} under the per-input time limit. While fuzzing the call is direct (libFuzzer
   * watches for slow inputs itself, and a JUnit timeout would span the whole fuzzing run); while
   * replaying seeds a hang fails the input after 10 s.
   */
  private static void limited(Runnable check) {
    if (FUZZING) {
      check.run();
    } else {
      assertTimeoutPreemptively(LIMIT, check::run);
    }
  }

  private static void loadsOrFailsCleanly(Supplier<Config> load) {
    limited(() -> loadsOrFailsCleanlyNow(load));
  }

  private static void loadsOrFailsCleanlyNow(Supplier<Config> load) {
    Config c;
    try {
      c = load.get();
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
      if (e.line() != -1 || e.column() != -1) {
        assertThat(e.line()).as("line of %s", e.getMessage()).isPositive();
        assertThat(e.column()).as("column of %s", e.getMessage()).isPositive();
      }
      return;
    }
    String python;
    try {
      python = ConfigWriter.toPython(c);
    } catch (ConfigException e) {
      // JSON and YAML can hold what Python source cannot (NaN, a top-level key like '@class'); the
      // writer refuses those with a ConfigException, which is a clean outcome.
      assertThat(e.getMessage()).isNotBlank();
      python = null;
    }
    if (python != null) {
      assertThat(ConfigLoader.fromPython(python, "roundtrip.py")).as("round trip through:%n%s", python)
          .isEqualTo(c);
    }
    String json;
    try {
      json = ConfigWriter.toJson(c);
    } catch (ConfigException e) {
      // NaN and infinities have no JSON form; the writer refuses them, naming the path.
      assertThat(e.getMessage()).contains("has no JSON form");
      return;
    }
    ConfigLoader.fromJson(json, "roundtrip.json");
  }

  @FuzzTest(maxDuration = "10m")
  void pythonConfig(byte[] data) {
    loadsOrFailsCleanly(() -> ConfigLoader.fromPython(text(data), "fuzz.py"));
  }

  @FuzzTest(maxDuration = "10m")
  void pythonExpression(byte[] data) {
    loadsOrFailsCleanly(() -> ConfigLoader.fromPythonExpression(text(data), "fuzz"));
  }

  @FuzzTest(maxDuration = "10m")
  void json(byte[] data) {
    loadsOrFailsCleanly(() -> ConfigLoader.fromJson(text(data), "fuzz.json"));
  }

  @FuzzTest(maxDuration = "10m")
  void yaml(byte[] data) {
    loadsOrFailsCleanly(() -> ConfigLoader.fromYaml(text(data), "fuzz.yaml"));
  }

  /** The files of {@link #baseChain}, in the order the input's parts fill them. */
  private static final String[] CHAIN_FILES = {"a.py", "b.py", "c.yaml", "d.json"};
  private static final String PART_SEPARATOR = "\n---8<---\n";
  private static Path chainDir;

  private static synchronized Path chainDir() throws IOException {
    if (chainDir == null) {
      chainDir = Files.createTempDirectory("detkit-fuzz-chain");
      chainDir.toFile().deleteOnExit();
    }
    return chainDir;
  }

  /**
   * A {@code _base_} chain: the input, split at a {@code ---8<---} line, fills up to four files
   * ({@code a.py}, {@code b.py}, {@code c.yaml}, {@code d.json}) of one directory, and {@code a.py}
   * is loaded with {@link ConfigLoader#fromFile}; the files may name each other (or themselves)
   * as bases and use {@code {{_base_.x}}}, base names, operators, subscripts and {@code **}.
   */
  @FuzzTest(maxDuration = "10m")
  void baseChain(byte[] data) throws IOException {
    Path dir = chainDir();
    String[] parts = text(data).split(PART_SEPARATOR, CHAIN_FILES.length);
    for (int i = 0; i < CHAIN_FILES.length; i++) {
      Path f = dir.resolve(CHAIN_FILES[i]);
      if (i < parts.length) {
        Files.writeString(f, parts[i], UTF_8);
      } else {
        Files.deleteIfExists(f);
      }
    }
    loadsOrFailsCleanly(() -> ConfigLoader.fromFile(dir.resolve(CHAIN_FILES[0])));
  }

  private static final Config BASE = ConfigLoader.fromPython("model = dict(type='RetinaNet', bbox_head=dict("
      + "type='RetinaHead', num_classes=80, loss_cls=dict(type='FocalLoss', gamma=2.0, alpha=0.25), "
      + "anchor_generator=dict(strides=[8, 16, 32], ratios=(0.5, 1.0, 2.0))))\n"
      + "pipeline = [dict(type='Resize', scale=(1333, 800)), dict(type='RandomFlip', prob=0.5)]\n"
      + "lr = 0.01\n", "base.py");

  /** One option per line, as a shell would pass several {@code --cfg-options}. */
  @FuzzTest(maxDuration = "10m")
  void cfgOptions(byte[] data) {
    List<String> options = new ArrayList<>(List.of(text(data).split("\n", -1)));
    loadsOrFailsCleanly(() -> ConfigOverrides.apply(BASE, options));
    limited(() -> {
      for (String option : options) {
        int eq = option.indexOf('=');
        String value = eq < 0 ? option : option.substring(eq + 1);
        try {
          ConfigOverrides.parseValue(value);
        } catch (ConfigException e) {
          assertThat(e.getMessage()).isNotBlank();
        }
      }
    });
  }
}
