package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.detkit.core.check.Args;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs that once hung, exhausted memory, overflowed the stack or were silently accepted
 * (issue 16): each now fails fast with a {@link ConfigException} or {@link IllegalArgumentException}
 * naming what is wrong.
 */
class ConfigLoaderBoundsTest {
  private static final Duration FAST = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  private static ConfigException fails(Runnable r) {
    ConfigException e = assertTimeoutPreemptively(FAST,
        () -> catchThrowableOfType(ConfigException.class, r::run));
    assertThat(e).isNotNull();
    return e;
  }

  @Test
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("cfg.py");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor() == 0, "mkfifo is needed for this test");
    assertThat(fails(() -> ConfigLoader.fromFile(fifo))).hasMessage("config file " + fifo
        + " is not a regular file (a FIFO, socket or device); only regular files are read");
  }

  @Test
  void aLinkToAnEndlessDeviceIsRefused() throws IOException {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    Path link = Files.createSymbolicLink(dir.resolve("zero.py"), zero);
    assertThat(fails(() -> ConfigLoader.fromFile(link)).getMessage()).contains("is not a regular file");
    // and as a base of a regular file, naming the file that asked for it
    Path child = Files.writeString(dir.resolve("child.py"), "_base_ = './zero.py'\n");
    assertThat(fails(() -> ConfigLoader.fromFile(child)).getMessage())
        .contains("is not a regular file").contains("(a _base_ of " + child + ":1:1)");
  }

  @Test
  void aBaseChainLongerThanTheLimitIsRefused() throws IOException {
    int n = ConfigLoader.MAX_BASE_FILES + 1;
    for (int i = 0; i < n; i++) {
      Files.writeString(dir.resolve("c" + i + ".py"), (i + 1 < n ? "_base_ = 'c" + (i + 1) + ".py'\n" : "")
          + "v" + i + " = " + i + "\n");
    }
    assertThat(fails(() -> ConfigLoader.fromFile(dir.resolve("c0.py"))).getMessage())
        .startsWith("more than 64 config files in the _base_ chain of")
        .endsWith("(ConfigLoader.MAX_BASE_FILES)");
    Files.delete(dir.resolve("c" + (n - 1) + ".py"));
    Files.writeString(dir.resolve("c" + (n - 2) + ".py"), "v = 1\n");
    assertThat(ConfigLoader.fromFile(dir.resolve("c0.py")).size()).isEqualTo(n - 1);
  }

  @Test
  void duplicateYamlKeysAreAnErrorNamingTheKeyAndPosition() {
    assertThat(fails(() -> ConfigLoader.fromYaml("a: 1\nb:\n  x: 1\n  x: 2\n", "d.yaml")))
        .hasMessage("d.yaml:4:3: duplicate key 'x' in one mapping (YAML 1.2 requires unique keys) (line 4, column 3)");
    assertThat(fails(() -> ConfigLoader.fromYaml("a: 1\na: 1\n", "d.yaml")).getMessage()).contains("duplicate key 'a'");
  }

  /** Parameters whose constructor needs finite numbers, as a component's record checks them. */
  record FiniteParams(double gamma, double beta, double alpha) {
    static final FiniteParams DEFAULTS = new FiniteParams(2.0, 1.0, 0.25);

    FiniteParams {
      Args.finite("gamma", gamma);
      Args.finite("beta", beta);
    }
  }

  @Test
  void anInfinityWhereAFiniteNumberIsNeededIsNamed() {
    Config c = ConfigLoader.fromYaml("loss: {gamma: .inf, beta: -.Inf, alpha: 0.25}\n", "l.yaml").getConfig("loss");
    // The loader reads YAML's infinities as they are; the record that needs a finite number refuses
    // them, naming the parameter (a registry's component re-raises that at the key's path).
    assertThat(c.getDouble("gamma")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(c.getDouble("beta")).isEqualTo(Double.NEGATIVE_INFINITY);
    RecordBinder<FiniteParams> binder = RecordBinder.of(FiniteParams.DEFAULTS);
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> binder.apply(c)))
        .hasMessage("gamma must be finite; got Infinity");
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> binder.apply(c.with("gamma", 1.5))))
        .hasMessage("beta must be finite; got -Infinity");
    assertThat(binder.apply(c.with("gamma", 1.5).with("beta", 0.5))).isEqualTo(new FiniteParams(1.5, 0.5, 0.25));
  }

  @Test
  void aNullKeyIsAClearError() {
    IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> Config.empty().with(null, 1));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("key");
  }

  @Test
  void deepOrSelfContainingJavaMapsFailWithoutStackOverflow() {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> m = root;
    for (int i = 0; i < 100_000; i++) {
      Map<String, Object> next = new LinkedHashMap<>();
      m.put("a", next);
      m = next;
    }
    assertThat(fails(() -> Config.of(root)).getMessage()).contains("nesting deeper than 100 levels");
    Map<String, Object> self = new LinkedHashMap<>();
    self.put("me", self);
    assertThat(fails(() -> Config.of(self)).getMessage()).contains("a map that contains itself");
    assertThat(fails(() -> Config.empty().with("x", self)).getMessage()).startsWith("x: nesting deeper");
    // a map that shares one sub-map at every level expands to 2^60 values: refused, not copied
    Map<String, Object> shared = new LinkedHashMap<>();
    for (int i = 0; i < 60; i++) {
      Map<String, Object> up = new LinkedHashMap<>();
      up.put("l", shared);
      up.put("r", shared);
      shared = up;
    }
    Map<String, Object> wide = shared;
    assertThat(fails(() -> Config.of(wide)).getMessage()).contains("(ConfigLoader.MAX_VALUES)");
  }

  @Test
  void aHugeUnknownTypeFailsFastWithoutASuggestion() {
    Registry<Object> r = new Registry<>("loss").register("FocalLoss", c -> new Object());
    String huge = "F".repeat(1_000_000);
    ConfigException e = fails(() -> r.build(Config.of("type", huge)));
    assertThat(e.getMessage()).startsWith("type: unknown loss type 'FFFF").doesNotContain("did you mean")
        .endsWith("Registered: FocalLoss");
    assertThat(e.getMessage().length()).isLessThan(300);
    assertThat(fails(() -> r.build(Config.of("type", "FocalLos"))).getMessage()).contains("did you mean 'FocalLoss'?");
  }
}
