package io.detkit.core.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A set of golden cases in the manifest format: a directory on disk, or the copy bundled as test
 * resources under {@code /golden} of core's test-jar.
 *
 * <p>{@link #load()} honours the system property {@code detkit.golden.dir} (passed through to every
 * module's forked test JVM by the parent POM), so {@code mvn verify -Ddetkit.golden.dir=/other/set}
 * runs every module's conformance tests on another case set.
 */
public final class GoldenSet {
  /** System property naming a golden directory; empty or unset means the bundled copy. */
  public static final String PROPERTY = "detkit.golden.dir";
  private static final String RESOURCE_ROOT = "/golden/";

  private final Path dir;
  private final List<GoldenCase> cases = new ArrayList<>();
  private final String description;

  private GoldenSet(Path dir, JsonNode manifest, String description) {
    this.dir = dir;
    this.description = description;
    manifest.path("cases").forEach(n -> cases.add(new GoldenCase(this, n, DataType.FLOAT)));
  }

  /** The set named by {@code detkit.golden.dir}, or the bundled one. */
  public static GoldenSet load() {
    String prop = System.getProperty(PROPERTY, "").trim();
    return prop.isEmpty() ? bundled() : fromDirectory(Path.of(prop));
  }

  /** The copy bundled in core's test resources. */
  public static GoldenSet bundled() {
    try (InputStream in = GoldenSet.class.getResourceAsStream(RESOURCE_ROOT + "manifest.json")) {
      if (in == null) {
        throw new IllegalStateException("no bundled golden set: " + RESOURCE_ROOT
            + "manifest.json is not on the test classpath (depend on detkit-core's test-jar)");
      }
      return new GoldenSet(null, new ObjectMapper().readTree(in), "bundled " + RESOURCE_ROOT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A set on disk: {@code dir/manifest.json} and the files it names. */
  public static GoldenSet fromDirectory(Path dir) {
    Path manifest = dir.resolve("manifest.json");
    if (!Files.isRegularFile(manifest)) {
      throw new IllegalArgumentException(PROPERTY + " must name a directory holding manifest.json; got "
          + dir.toAbsolutePath());
    }
    try (InputStream in = Files.newInputStream(manifest)) {
      return new GoldenSet(dir, new ObjectMapper().readTree(in), dir.toAbsolutePath().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All cases, in manifest order. */
  public List<GoldenCase> cases() {
    return List.copyOf(cases);
  }

  /** Where the set came from. */
  public String description() {
    return description;
  }

  InputStream open(String file) throws IOException {
    if (dir != null) {
      return Files.newInputStream(dir.resolve(file));
    }
    InputStream in = GoldenSet.class.getResourceAsStream(RESOURCE_ROOT + file);
    if (in == null) {
      throw new IOException("missing bundled golden file " + RESOURCE_ROOT + file);
    }
    return in;
  }
}
