package io.detkit.heads;

import io.detkit.core.config.Registry;

/**
 * The plug-in point for dense-head types: how the head packages of detkit ({@code gfl},
 * {@code tood}, {@code anchorfree}) and a user's own jar add their heads to
 * {@link Heads#REGISTRY} without {@code Heads} knowing them at compile time.
 *
 * <p>An implementation is a public class with a public no-argument constructor, named (fully
 * qualified, one per line) in a resource {@code META-INF/services/io.detkit.heads.HeadProvider} of
 * its jar, as {@link java.util.ServiceLoader} reads them. {@link Heads} loads every provider on the
 * class path (with {@code Heads}' class loader) once, when the class is first used, and calls
 * {@link #registerHeads}; from then on {@code Heads.build(dict(type='MyHead', ...))} and
 * {@code Heads.fromModel} build the provider's types like the built-in ones. A head registered
 * later by code ({@code Heads.REGISTRY.register(...)}) needs no provider.
 */
public interface HeadProvider {
  /**
   * Registers this provider's head types, each under its MMDetection type name
   * ({@code registry.register("FCOSHead", FCOSHead::fromConfig)}). Called once, during
   * {@code Heads}' class initialisation, on the thread that first uses {@code Heads}; it must only
   * register (the registry is not yet published to other threads).
   *
   * @throws IllegalArgumentException (from the registry) for a type name that is already registered;
   *     {@code Heads} then fails to initialise with a message naming this provider
   */
  void registerHeads(Registry<BaseDenseHead> registry);
}
