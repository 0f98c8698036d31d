package io.detkit.core.config;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable tree of MMDetection-style configuration: a string-keyed map whose values are
 * {@code null} (Python {@code None}), {@link Boolean}, {@link Long} (Python int), {@link Double}
 * (Python float), {@link String}, {@link List} (a {@link PyTuple} when written as a tuple) or a
 * nested {@code Config} (a {@code dict}).
 *
 * <p>Keys are MMDetection's snake_case. Every node knows its dotted path from the root, and every
 * typed getter reports that path when a key is missing or has the wrong type:
 * {@code model.bbox_head.loss_cls.gamma: expected a number, got 'high'}: every typed getter
 * throws a {@link ConfigException} (an {@link IllegalArgumentException}) for a missing required key
 * or a value of the wrong type or range. Ints and floats stay distinct, as they do in Python
 * ({@code 4} is not {@code 4.0}); {@link #getDouble} accepts both.
 *
 * <p>Instances are immutable and thread-safe. A config obtained from {@link #tracked()} also records
 * which keys were read, which {@link Registry} uses to reject unknown parameters.
 */
public final class Config extends ConfigReads {
  private final String path;
  private final Map<String, Object> values;
  private final Set<String> accessed;

  /** A node over {@code values}, which the caller hands over unmodifiable and normalized ({@link ConfigValues}). */
  Config(String path, Map<String, Object> values, Set<String> accessed) {
    this.path = path;
    this.values = values;
    this.accessed = accessed;
  }

  /** The empty root config. */
  public static Config empty() {
    return new Config("", Collections.emptyMap(), null);
  }

  /**
   * A root config from a Java map. Nested maps become configs, lists are copied, Integer, Short
   * and Byte become Long, Float becomes Double.
   *
   * @throws ConfigException if a key is not a string, a value has an unsupported type, or the map
   *     nests deeper than {@link ConfigLoader#MAX_DEPTH} (a map containing itself included) or
   *     holds more than {@link ConfigLoader#MAX_VALUES} values
   */
  public static Config of(Map<?, ?> map) {
    return of("", map);
  }

  /**
   * Like {@link #of(Map)} for a node that sits at {@code path} inside a larger tree.
   *
   * @throws ConfigException as {@link #of(Map)}; {@link IllegalArgumentException} for a null argument
   */
  public static Config of(String path, Map<?, ?> map) {
    Tensors.requireNonNull(path, "path");
    Tensors.requireNonNull(map, "map");
    ConfigValues.checkShape(path, map, ConfigLoader.MAX_DEPTH + 1);
    return ConfigValues.copyOf(path, map);
  }

  /**
   * Shorthand for small literal configs: {@code Config.of("type", "FocalLoss", "gamma", 2.0)}.
   *
   * @throws IllegalArgumentException for a null array or an odd number of arguments
   * @throws ConfigException as {@link #of(Map)}
   */
  public static Config of(Object... keysAndValues) {
    Tensors.requireNonNull(keysAndValues, "keysAndValues");
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "keysAndValues must alternate key, value; got an odd count " + keysAndValues.length);
    }
    Map<Object, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return of(map);
  }

  /** The values themselves (unmodifiable), for walks inside the package. */
  @Override
  Map<String, Object> values() {
    return values;
  }

  /** The dotted path of this node from the root; empty for the root. */
  public String path() {
    return path;
  }

  /** The dotted path of {@code key} inside this node. */
  @Override
  public String pathOf(String key) {
    return ConfigValues.join(path, key);
  }

  /** The keys in insertion order (unmodifiable). */
  public Set<String> keys() {
    return values.keySet();
  }

  /** The number of keys. */
  public int size() {
    return values.size();
  }

  /** Whether {@code key} is present (its value may be null). */
  public boolean has(String key) {
    touch(key);
    return values.containsKey(key);
  }

  /** Whether {@code key} is absent or holds {@code None}. */
  @Override
  public boolean isNull(String key) {
    touch(key);
    return values.get(key) == null;
  }

  /** The raw value of {@code key} (see the class comment for types); null if absent or None. */
  @Override
  public Object get(String key) {
    touch(key);
    return values.get(key);
  }

  /** The {@code type} key, if any. */
  public Optional<String> type() {
    Object t = values.get("type");
    return t instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /**
   * Marks {@code keys} as accepted without reading them (parameters that detkit has no use for).
   *
   * @throws IllegalArgumentException if {@code keys} is null
   */
  public void accept(String... keys) {
    Tensors.requireNonNull(keys, "keys");
    for (String k : keys) {
      touch(k);
    }
  }

  /** A readable rendering of a config value for error messages: strings quoted, None as None. */
  public static String describe(Object v) {
    return ConfigValues.describe(v);
  }

  /**
   * A copy with {@code key} set to {@code value} (normalized like {@link #of(Map)}).
   *
   * @throws IllegalArgumentException if {@code key} is null
   * @throws ConfigException if {@code value} has an unsupported type or breaks a limit of
   *     {@link #of(Map)}
   */
  public Config with(String key, Object value) {
    Tensors.requireNonNull(key, "key");
    ConfigValues.checkShape(pathOf(key), value, ConfigLoader.MAX_DEPTH);
    Map<String, Object> copy = new LinkedHashMap<>(values);
    copy.put(key, ConfigValues.normalize(pathOf(key), value));
    return new Config(path, Collections.unmodifiableMap(copy), null);
  }

  /**
   * A copy with the value at {@code dottedPath} ({@code "model.bbox_head.loss_cls.gamma"}) replaced
   * by {@code value}, creating missing intermediate dicts; a numeric segment selects an item of an
   * existing list. {@link ConfigOverrides#apply} is the command-line form, with mmcv's merging.
   *
   * @throws ConfigException if a segment is empty or an intermediate value is not a dict (nor a
   *     list addressed by an index in range)
   */
  public Config withPath(String dottedPath, Object value) {
    Tensors.requireNonNull(dottedPath, "dottedPath");
    return ConfigOverrides.set(this, dottedPath, value, false, "withPath(\"" + dottedPath + "\")");
  }

  /** A copy without {@code key}. */
  public Config without(String key) {
    Map<String, Object> copy = new LinkedHashMap<>(values);
    copy.remove(key);
    return new Config(path, Collections.unmodifiableMap(copy), null);
  }

  /** This config re-rooted at {@code newPath} (used when a sub-tree is built on its own). */
  public Config atPath(String newPath) {
    return of(newPath, values);
  }

  /** Plain Java maps and lists (mutable copies), for serializers. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      out.put(e.getKey(), ConfigValues.plain(e.getValue()));
    }
    return out;
  }

  /**
   * A view of this config that records every key read through it. {@link #unreadKeys()} then lists
   * the keys no getter asked for: parameters the component does not know.
   */
  public Config tracked() {
    return new Config(path, values, ConcurrentHashMap.newKeySet());
  }

  /** This node without key tracking. */
  Config untracked() {
    return accessed == null ? this : new Config(path, values, null);
  }

  /** Keys that were read through this tracked view (empty when not tracked). */
  public Set<String> readKeys() {
    return accessed == null ? Set.of() : Collections.unmodifiableSet(accessed);
  }

  /** Present keys that were not read through this tracked view, in insertion order. */
  public List<String> unreadKeys() {
    List<String> out = new ArrayList<>();
    for (String k : values.keySet()) {
      if (accessed != null && !accessed.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * Refuses the first key of this tracked view that no getter read (nor {@link #accept}ed): a
   * parameter the reader does not know, a typo such as {@code gama=1.5} that must not silently train
   * with the default. The one refusal of unknown keys for every strict reader (the registries, a
   * record's nested dict, {@code nms}, {@code train_cfg}, ...). {@code type}, which names the
   * component rather than being one of its parameters, is never listed as accepted; a reader that
   * takes it without reading it {@link #accept}s it first (the registries do).
   *
   * @param owner what the keys belong to, for the message ({@code "loss type 'FocalLoss'"},
   *     {@code "train_cfg"}); null for none
   * @throws ConfigException at the key's path: {@code "unknown parameter 'gama' for loss type
   *     'FocalLoss'; accepted: gamma, alpha, ..."}, the accepted keys closest to it first
   * @throws IllegalStateException if this config is not a {@link #tracked()} view
   */
  public void requireAllRead(String owner) {
    if (accessed == null) {
      throw new IllegalStateException("requireAllRead needs a tracked() view; " + path + " is not one");
    }
    for (String k : values.keySet()) {
      if (!accessed.contains(k)) {
        throw unknownKey(k, accessed, owner);
      }
    }
  }

  /**
   * Refuses the first key of this config that is not in {@code accepted}: {@link #requireAllRead}
   * for a reader that knows its keys as a set rather than by reading them.
   *
   * @param owner what the keys belong to, for the message; null for none
   * @throws ConfigException at the key's path, as {@link #requireAllRead} words it
   */
  public void requireKeysIn(Set<String> accepted, String owner) {
    Tensors.requireNonNull(accepted, "accepted");
    for (String k : values.keySet()) {
      if (!accepted.contains(k)) {
        throw unknownKey(k, accepted, owner);
      }
    }
  }

  private ConfigException unknownKey(String key, Set<String> accepted, String owner) {
    List<String> listed = new ArrayList<>(accepted);
    listed.remove("type");
    return ConfigException.at(pathOf(key), "unknown parameter '" + PyLexer.abbreviate(key, 80) + "'"
        + (owner == null ? "" : " for " + owner) + "; accepted: " + String.join(", ", Registry.closestFirst(key, listed)));
  }

  @Override
  void touch(String key) {
    if (accessed != null) {
      accessed.add(key);
    }
  }

  /**
   * Python-literal rendering, {@code dict(type='FocalLoss', gamma=2.0)}: every key as a keyword,
   * scalars as {@link #describe} shows them.
   */
  @Override
  public String toString() {
    return ConfigWriter.repr(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Config c && values.equals(c.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }
}
