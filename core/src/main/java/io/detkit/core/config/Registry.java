package io.detkit.core.config;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Builds components of one kind (losses, samplers, assigners, ...) from config dicts by their
 * {@code type} key, the Java counterpart of MMDetection's {@code LOSSES.build(cfg)}.
 *
 * <p>A factory receives a {@linkplain Config#tracked() tracked} view of the config and reads the
 * parameters it knows, with their defaults. After it returns, any key it did not read is an
 * unknown parameter and the build fails, naming the key, the type and the accepted keys (closest
 * match first). This is stricter than MMDetection, which swallows stray {@code **kwargs}: a typo
 * such as {@code gama=1.5} must not silently train with the default.
 *
 * <p>Users add their own types with {@link #register}, the counterpart of
 * {@code @LOSSES.register_module()}; registration is thread-safe and a name can be registered once.
 *
 * @param <T> the component kind
 */
public final class Registry<T> {
  /**
   * The longest name compared by edit distance for a did-you-mean suggestion. The distance costs
   * the product of the two lengths, so an unknown type of a million characters would spend seconds;
   * longer names are far from every registered one and get the plain list instead.
   */
  public static final int MAX_SUGGESTION_LENGTH = 256;

  private final String kind;
  private final Map<String, Function<Config, ? extends T>> factories = new ConcurrentHashMap<>();

  /** A registry for components of {@code kind} (used in messages, for example "loss"). */
  public Registry(String kind) {
    this.kind = Tensors.requireNonNull(kind, "kind");
  }

  /** The kind named in messages. */
  public String kind() {
    return kind;
  }

  /**
   * Registers {@code factory} under {@code type}.
   *
   * @throws IllegalArgumentException if {@code type} is empty or already registered
   */
  public Registry<T> register(String type, Function<Config, ? extends T> factory) {
    Tensors.requireNonNull(factory, "factory");
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("type must be a non-empty name; got " + Config.describe(type));
    }
    if (factories.putIfAbsent(type, factory) != null) {
      throw new IllegalArgumentException(kind + " type '" + type + "' is already registered");
    }
    return this;
  }

  /**
   * Registers {@code type}'s {@link ComponentType#fromConfig} under its {@link ComponentType#name()}
   * ({@code Losses.REGISTRY.register(MyLoss.TYPE)}).
   *
   * @throws IllegalArgumentException if the name is already registered
   */
  public Registry<T> register(ComponentType<?, ?, ? extends T> type) {
    Tensors.requireNonNull(type, "type");
    return register(type.name(), type::fromConfig);
  }

  /** Whether {@code type} is registered. */
  public boolean contains(String type) {
    return factories.containsKey(type);
  }

  /** The registered type names, sorted. */
  public Set<String> types() {
    return new TreeSet<>(factories.keySet());
  }

  /**
   * Builds the component that {@code config}'s {@code type} names.
   *
   * @throws ConfigException if {@code type} is missing or unknown (listing the registered names and
   *     the closest one), if a parameter is unknown (listing the accepted ones), or if the factory
   *     rejects a value
   */
  public T build(Config config) {
    Tensors.requireNonNull(config, "config");
    Object typeValue = config.get("type");
    if (!(typeValue instanceof String type)) {
      throw ConfigException.at(config.pathOf("type"), "a " + kind
          + " config needs a string 'type' naming one of: " + String.join(", ", types())
          + "; got " + Config.describe(typeValue));
    }
    Function<Config, ? extends T> factory = factories.get(type);
    if (factory == null) {
      List<String> ranked = closestFirst(type, factories.keySet());
      boolean suggest = !ranked.isEmpty() && type.length() <= MAX_SUGGESTION_LENGTH;
      throw ConfigException.at(config.pathOf("type"), "unknown " + kind + " type '" + PyLexer.abbreviate(type, 80)
          + "'" + (suggest ? "; did you mean '" + ranked.get(0) + "'?" : "")
          + " Registered: " + String.join(", ", types()));
    }
    Config tracked = config.tracked();
    T built = factory.apply(tracked);
    tracked.accept("type");
    tracked.requireAllRead(kind + " type '" + type + "'");
    return built;
  }

  /**
   * {@code candidates} sorted by edit distance to {@code word}, then alphabetically; only
   * alphabetically when either is longer than {@link #MAX_SUGGESTION_LENGTH}.
   */
  static List<String> closestFirst(String word, Iterable<String> candidates) {
    List<String> out = new ArrayList<>();
    candidates.forEach(out::add);
    if (word.length() > MAX_SUGGESTION_LENGTH
        || out.stream().anyMatch(c -> c.length() > MAX_SUGGESTION_LENGTH)) {
      out.sort(Comparator.naturalOrder());
      return out;
    }
    out.sort(Comparator.<String>comparingInt(c -> editDistance(word, c)).thenComparing(c -> c));
    return out;
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
