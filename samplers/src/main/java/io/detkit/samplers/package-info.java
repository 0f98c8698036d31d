/**
 * Positive and negative sampling (the seed's step 1): MMDetection 2.x's bbox samplers, reproducible.
 *
 * <p>A {@link io.detkit.samplers.Sampler} turns an {@link io.detkit.core.assign.AssignResult} over
 * {@code [N,4]} priors (x1, y1, x2, y2) into a {@link io.detkit.samplers.SamplingResult}: sorted
 * positive and negative indices plus the boxes, gt boxes and labels the loss targets need.
 * {@link io.detkit.samplers.BaseSampler} holds MMDetection's counting rules; its subclasses
 * ({@link io.detkit.samplers.RandomSampler}, {@link io.detkit.samplers.IoUBalancedNegSampler},
 * {@link io.detkit.samplers.InstanceBalancedPosSampler}, {@link io.detkit.samplers.OHEMSampler},
 * {@link io.detkit.samplers.CombinedSampler}) only choose indices;
 * {@link io.detkit.samplers.PseudoSampler} takes everything. Build them from MMDetection config
 * dicts with {@link io.detkit.samplers.Samplers#build}, or in Java through each type's descriptor
 * ({@code RandomSampler.TYPE.builder(256, 0.5).build()}, a {@link io.detkit.samplers.SamplerType}).
 *
 * <p>Randomness: samplers hold no generator. Pass a {@link java.util.random.RandomGenerator} per
 * call (one per thread) for full control, or use the overload without one, which derives a fresh
 * generator per call from the sampler's {@code seed} (default
 * {@link io.detkit.samplers.Samplers#DEFAULT_SEED}) and a call counter. Draws differ from torch's,
 * so which priors are picked differs from MMDetection; counts, order and distributions do not.
 */
package io.detkit.samplers;
