package io.detkit.heads;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * Rebuilds the head outputs of summary golden cases from {@code call.generated_inputs}: a murmur3
 * fmix32 hash of a Weyl sequence per flat index, mapped to {@code float32(a + b*u)}, then checked
 * against the stored CRC-32 of the float32 little-endian bytes, the first five values, the last
 * value and the sum.
 */
final class GeneratedInputs {
  private GeneratedInputs() {}

  /** The generated tensor values (C order); throws AssertionError when a check fails. */
  static float[] build(String name, JsonNode spec) {
    long n = 1;
    for (JsonNode d : spec.get("shape")) {
      n *= d.asLong();
    }
    int seed = (int) spec.get("seed").asLong();
    double a = spec.get("a").asDouble();
    double b = spec.get("b").asDouble();
    if (!spec.path("dtype").asText("float32").equals("float32")) {
      throw new AssertionError(name + ": only float32 generated inputs are known; got " + spec.get("dtype"));
    }
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      int x = i * 0x9E3779B1 + seed;
      x ^= x >>> 16;
      x *= 0x85EBCA6B;
      x ^= x >>> 13;
      x *= 0xC2B2AE35;
      x ^= x >>> 16;
      double u = (x & 0xFFFFFFFFL) / 4294967296.0;
      v[i] = (float) (a + b * u);
    }
    check(name, spec, v);
    return v;
  }

  private static void check(String name, JsonNode spec, float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      buf.putFloat(f);
    }
    CRC32 crc = new CRC32();
    crc.update(buf.array());
    long expected = spec.get("crc32_f32le").asLong();
    if (crc.getValue() != expected) {
      throw new AssertionError(name + ": crc32 of the regenerated values is " + crc.getValue() + ", expected "
          + expected);
    }
    JsonNode first = spec.get("first5");
    for (int i = 0; i < first.size(); i++) {
      if (v[i] != (float) first.get(i).asDouble()) {
        throw new AssertionError(name + ": value " + i + " is " + v[i] + ", expected " + first.get(i));
      }
    }
    if (v[v.length - 1] != (float) spec.get("last").asDouble()) {
      throw new AssertionError(name + ": last value is " + v[v.length - 1] + ", expected " + spec.get("last"));
    }
    double sum = 0;
    for (float f : v) {
      sum += f;
    }
    double s = spec.get("checksum_sum_f64").asDouble();
    if (Math.abs(sum - s) > 1e-9 * Math.max(1, Math.abs(s))) {
      throw new AssertionError(name + ": sum is " + sum + ", expected " + s);
    }
  }
}
