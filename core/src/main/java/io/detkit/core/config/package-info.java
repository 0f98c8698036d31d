/**
 * MMDetection-style configuration: an immutable config tree ({@link io.detkit.core.config.Config}),
 * loaders that read Python config files, JSON and YAML without running code, with mmcv 1.x's
 * {@code _base_} inheritance for files ({@link io.detkit.core.config.ConfigLoader}; the user's
 * guide is {@code docs/configs.md}), {@code --cfg-options} overrides
 * ({@link io.detkit.core.config.ConfigOverrides}), writers
 * ({@link io.detkit.core.config.ConfigWriter}) and registries that build components from a
 * config's {@code type} ({@link io.detkit.core.config.Registry}).
 *
 * <h2>Registering a component type</h2>
 *
 * <p>MMDetection registers a class with a decorator, {@code @LOSSES.register_module()}, which runs
 * when the module is imported. detkit has no import side effects: an application registers its
 * own types explicitly, once, at start-up, before it builds anything from a config:
 *
 * <pre>{@code
 * // each module exposes the registry of its kind; this one stands in for the losses'
 * Registry<Loss> losses = new Registry<>("loss");
 *
 * // during application start-up
 * losses.register("MyLoss", c -> new MyLoss(
 *     c.getDouble("alpha", 0.25),                  // every accepted key is read, with its default
 *     c.getString("reduction", "mean"),
 *     c.getDouble("loss_weight", 1.0)));
 *
 * // later, anywhere
 * Config cfg = ConfigLoader.fromPython(
 *     "loss_cls = dict(type='MyLoss', alpha=0.5, loss_weight=2.0)", "snippet");
 * Loss loss = losses.build(cfg.getConfig("loss_cls"));
 * }</pre>
 *
 * <p>The factory receives a tracked view of the config and <b>must read every key it accepts</b>,
 * through a typed getter with a default ({@code c.getDouble("gamma", 2.0)}) or, for a key it
 * accepts but has no use for, {@code c.accept("in_channels")}. After the factory returns,
 * {@link io.detkit.core.config.Registry#build} rejects any key that was not read, naming it, the
 * type and the accepted keys closest first, so that a typo such as {@code gama=1.5} fails instead
 * of silently training with the default. A type name can be registered once; registering it again
 * fails. Registration is thread-safe, but registering during start-up keeps the set of buildable
 * types the same for the whole run.
 *
 * <h2>Loading untrusted configs</h2>
 *
 * <p>The loaders evaluate nothing, never instantiate classes named by the input, and enforce the
 * limits documented on {@link io.detkit.core.config.ConfigLoader} and
 * {@link io.detkit.core.config.ConfigOverrides}. Every error is a
 * {@link io.detkit.core.config.ConfigException} naming the source and line and column, or the
 * dotted key path.
 */
package io.detkit.core.config;
