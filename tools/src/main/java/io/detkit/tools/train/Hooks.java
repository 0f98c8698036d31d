package io.detkit.tools.train;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import java.util.ArrayList;
import java.util.List;

/**
 * The hook types a config's {@code custom_hooks} can name, mmcv's {@code HOOKS} registry, and the
 * reading of that list.
 *
 * <p>{@code custom_hooks = [dict(type='MyHook', priority='HIGH', patience=3), ...]} adds, in list
 * order, one hook per dict to the run after the built-in ones (learning rate, optimizer,
 * checkpoints, evaluation, pictures, metrics, logging); {@code priority} (default
 * {@code 'NORMAL'}) places it among them ({@link Priority}). Every other key is a parameter of the
 * type: its factory reads the ones it knows, and a key it did not read fails the build, as does an
 * unknown type (with the closest registered name).
 *
 * <p>Register a type from Java before the config is read, e.g. in your own {@code main} before
 * calling {@code io.detkit.tools.Main.main}:
 * <pre>{@code
 * Hooks.REGISTRY.register("EarlyStopHook", EarlyStopHook::fromConfig);
 * }</pre>
 * A factory receives the hook's dict without {@code priority}, may be called from any thread, and
 * returns a new hook for each call (a hook instance serves one run).
 */
public final class Hooks {
  /** The registered hook types (none built in: the built-in hooks come from their own config keys). */
  public static final Registry<Hook> REGISTRY = new Registry<>("hook");

  /** A hook from {@code custom_hooks}, its priority and the type that built it. */
  public record Custom(Hook hook, int priority, String type) {}

  private Hooks() {}

  /**
   * Builds the hooks of {@code cfg}'s top-level {@code custom_hooks} (none when absent or None).
   *
   * @throws ConfigException naming the entry for a value that is not a list of dicts, an unknown
   *     type or parameter, a bad priority, or a value the type's factory refuses
   */
  public static List<Custom> fromConfig(Config cfg) {
    if (cfg.isNull("custom_hooks")) {
      return List.of();
    }
    Object raw = cfg.get("custom_hooks");
    if (!(raw instanceof List<?> entries)) {
      throw ConfigException.at(cfg.pathOf("custom_hooks"), "must be a list of dicts such as "
          + "[dict(type='MyHook', priority='NORMAL')]; got " + Config.describe(raw));
    }
    List<Custom> hooks = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String path = cfg.pathOf("custom_hooks") + "[" + i + "]";
      if (!(entries.get(i) instanceof Config entry)) {
        throw ConfigException.at(path, "must be a dict with a 'type'; got " + Config.describe(entries.get(i)));
      }
      Config hookCfg = entry.atPath(path);
      int priority = hookCfg.has("priority") ? Priority.parse(hookCfg.get("priority"), hookCfg.pathOf("priority"))
          : Priority.NORMAL.value();
      Hook hook = REGISTRY.build(hookCfg.without("priority"));
      if (hook == null) {
        throw ConfigException.at(path, "the factory of hook type '" + hookCfg.getString("type") + "' returned null");
      }
      hooks.add(new Custom(hook, priority, hookCfg.getString("type")));
    }
    return hooks;
  }
}
