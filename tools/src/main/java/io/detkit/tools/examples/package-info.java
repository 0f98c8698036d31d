/**
 * Worked extensions of {@code detkit train}, written against the runner's public API only
 * ({@link io.detkit.tools.train.Hook}, {@link io.detkit.tools.train.Runner},
 * {@link io.detkit.tools.train.Hooks#REGISTRY}): {@link io.detkit.tools.examples.EarlyStopHook}
 * stops a run whose training loss no longer improves, named from a config's {@code custom_hooks}.
 */
package io.detkit.tools.examples;
