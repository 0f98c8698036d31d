package io.detkit.core.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One golden case of the manifest: a component, its config, the call, and the expected outputs
 * and gradients computed by MMDetection.
 *
 * <p>Inputs are handed out in the case's {@linkplain #precision() precision}: float inputs as
 * float32 in the float32 run and as float64 in the float64 run; integer inputs as INT64 always.
 */
public final class GoldenCase {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GoldenSet set;
  private final JsonNode node;
  private final DataType precision;

  GoldenCase(GoldenSet set, JsonNode node, DataType precision) {
    this.set = set;
    this.node = node;
    this.precision = precision;
  }

  /** The same case with float inputs handed out as {@code type}. */
  public GoldenCase withPrecision(DataType type) {
    return new GoldenCase(set, node, type);
  }

  /** FLOAT for the run compared with {@code outputs}, DOUBLE for the one compared with {@code outputs_f64}. */
  public DataType precision() {
    return precision;
  }

  public String id() {
    return node.get("id").asText();
  }

  public String component() {
    return node.get("component").asText();
  }

  public String category() {
    return node.path("category").asText("");
  }

  /**
   * The component's config. Parsed from {@code config_repr} with detkit's Python-literal loader, so
   * that tuples and int-versus-float survive as MMDetection saw them; the JSON form is the fallback.
   */
  public Config config() {
    JsonNode repr = node.get("config_repr");
    if (repr != null && repr.isTextual()) {
      return ConfigLoader.fromPythonExpression(repr.asText(), id() + ":config_repr");
    }
    return Config.of(JSON.convertValue(node.get("config"), Map.class));
  }

  /** The call description ({@code method} and call-specific keys). */
  public Config call() {
    return Config.of(JSON.convertValue(node.get("call"), Map.class));
  }

  /** The call's method name. */
  public String method() {
    return node.path("call").path("method").asText("");
  }

  /** The case's invariants (sampler counts, rules, head statistics). */
  public Config invariants() {
    JsonNode inv = node.get("invariants");
    return inv == null || inv.isNull() ? Config.empty() : Config.of(JSON.convertValue(inv, Map.class));
  }

  /** The notes that record MMDetection's behaviour for this case. */
  public List<String> notes() {
    List<String> out = new ArrayList<>();
    node.path("notes").forEach(n -> out.add(n.asText()));
    return out;
  }

  public Tolerance tolerance() {
    JsonNode t = node.get("tolerance");
    return new Tolerance(t.path("abs").asDouble(1e-5), t.path("rel").asDouble(1e-4));
  }

  /** Names of the inputs, in manifest order. */
  public List<String> inputNames() {
    List<String> out = new ArrayList<>();
    node.path("inputs").fieldNames().forEachRemaining(out::add);
    return out;
  }

  public boolean hasInput(String name) {
    return node.path("inputs").has(name);
  }

  /**
   * An input array: floats in this run's precision, integers as INT64.
   *
   * @throws UnsupportedCaseException if the case has no such input
   */
  public INDArray input(String name) {
    Npy npy = inputNpy(name);
    return npy.toArray(npy.isIntegral() ? DataType.INT64 : precision);
  }

  /** An input if present. */
  public Optional<INDArray> optionalInput(String name) {
    return hasInput(name) ? Optional.of(input(name)) : Optional.empty();
  }

  /** The raw stored input. */
  public Npy inputNpy(String name) {
    JsonNode spec = node.path("inputs").get(name);
    if (spec == null) {
      throw new UnsupportedCaseException(id() + ": no input named '" + name + "'; inputs: " + inputNames());
    }
    return load(spec);
  }

  /** The expected outputs of this run's precision (outputs, or outputs_f64 in the float64 run). */
  public Map<String, Expected> expectedOutputs() {
    return expected(precision == DataType.DOUBLE ? "outputs_f64" : "outputs");
  }

  /** The expected gradients of this run's precision. */
  public Map<String, Expected> expectedGrads() {
    return expected(precision == DataType.DOUBLE ? "grads_f64" : "grads");
  }

  /** The float32 expected outputs regardless of the run's precision. */
  public Map<String, Expected> outputsF32() {
    return expected("outputs");
  }

  /** Whether MMDetection raised for this case ({@code outputs.error}). */
  public boolean expectsError() {
    return node.path("outputs").has("error");
  }

  /** The exception MMDetection raised, as {@code Type: message}. */
  public String expectedErrorText() {
    JsonNode e = node.path("outputs").path("error");
    return e.path("type").asText() + ": " + e.path("message").asText();
  }

  /** The scalar that gradients are taken of ({@code grad_of}), or empty. */
  public Optional<String> gradOf() {
    JsonNode g = node.get("grad_of");
    return g == null || g.isNull() ? Optional.empty() : Optional.of(g.asText());
  }

  /** Whether the manifest stores float64 expectations for this case. */
  public boolean hasF64() {
    return node.path("outputs_f64").size() > 0 || node.path("grads_f64").size() > 0;
  }

  private Map<String, Expected> expected(String section) {
    Map<String, Expected> out = new LinkedHashMap<>();
    JsonNode sec = node.path(section);
    sec.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("error")) {
        out.put(e.getKey(), toExpected(e.getKey(), e.getValue()));
      }
    });
    return out;
  }

  private Expected toExpected(String name, JsonNode spec) {
    if (spec == null || spec.isNull()) {
      return Expected.none(name);
    }
    if (spec.has("file")) {
      Npy npy = load(spec);
      return Expected.array(name, npy.shape(), npy.data(), npy.isIntegral());
    }
    JsonNode v = spec.get("value");
    if (v.isTextual()) {
      return Expected.scalar(name, parseSpecial(v.asText()), false);
    }
    if (v.isIntegralNumber() || v.isBoolean()) {
      return Expected.scalar(name, v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asLong(), true);
    }
    if (v.isArray()) {
      double[] data = new double[v.size()];
      boolean integral = true;
      for (int i = 0; i < data.length; i++) {
        integral &= v.get(i).isIntegralNumber();
        data[i] = v.get(i).isTextual() ? parseSpecial(v.get(i).asText()) : v.get(i).asDouble();
      }
      return Expected.array(name, new long[] {data.length}, data, integral);
    }
    return Expected.scalar(name, v.asDouble(), false);
  }

  private static double parseSpecial(String s) {
    return switch (s.toLowerCase()) {
      case "nan" -> Double.NaN;
      case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  private Npy load(JsonNode spec) {
    String file = spec.get("file").asText();
    try (InputStream in = set.open(file)) {
      return Npy.read(in, file);
    } catch (IOException e) {
      throw new UncheckedIOException(id() + ": cannot read " + file, e);
    }
  }

  /** The raw manifest entry, for runners that need call-specific fields. */
  public JsonNode raw() {
    return node;
  }

  @Override
  public String toString() {
    return id();
  }

  /** The manifest's comparison rule: {@code |actual - expected| <= abs + rel * |expected|}. */
  public record Tolerance(double abs, double rel) {
    public boolean accepts(double actual, double expected) {
      return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
    }
  }

  /** An expected output: an array or scalar, or {@code None}. */
  public record Expected(String name, long[] shape, double[] data, boolean integral, boolean isNone,
      boolean isScalar) {
    static Expected none(String name) {
      return new Expected(name, new long[0], new double[0], false, true, false);
    }

    static Expected scalar(String name, double v, boolean integral) {
      return new Expected(name, new long[0], new double[] {v}, integral, false, true);
    }

    static Expected array(String name, long[] shape, double[] data, boolean integral) {
      return new Expected(name, shape, data, integral, false, false);
    }
  }
}
