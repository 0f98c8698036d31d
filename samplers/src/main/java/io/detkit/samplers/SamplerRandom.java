package io.detkit.samplers;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The random streams of samplers (and of heads, which split them per image): one generator per
 * {@code (seed, call)} pair, so results never depend on which thread ran a call or in what order.
 * Stateless and thread-safe. Kept apart from the {@link Samplers} registry, which refers to every
 * sampler, so that the samplers can use it without depending on the registry.
 */
public final class SamplerRandom {
  private SamplerRandom() {}

  /**
   * Generator number {@code call} of the stream a sampler with {@code seed} uses for its
   * convenience {@code sample}: a {@link SplittableRandom} whose seed mixes both numbers, so calls
   * get independent-looking streams without sharing any mutable generator. Pass
   * {@code randomFor(seed, c)} explicitly to replay call {@code c}.
   */
  public static RandomGenerator randomFor(long seed, long call) {
    return new SplittableRandom(mix64(mix64(seed) + call * 0x9E3779B97F4A7C15L));
  }

  // Stafford's variant 13 finalizer (as in SplittableRandom): nearby inputs give unrelated outputs.
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
