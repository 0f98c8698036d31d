package io.detkit.core.config;

import com.google.common.base.CaseFormat;
import com.google.common.base.Throwables;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Reads a parameter record from a config dict by its components, so that a component's key, type
 * and default are declared once, by the record itself (the counterpart of detectron2's
 * {@code from_config} and Tribuo's {@code @Config} fields): component {@code iouWeighted} is read
 * from key {@code iou_weighted} with the reader of its type, and a key absent or {@code None} takes
 * the component's value in the binder's defaults ({@code Params.DEFAULTS}). {@link ConfigField}
 * names a key that differs from the component's name, or one the config must give. Then the
 * record's canonical constructor runs, so its checks, and their messages, are the same for a config
 * and for Java code; {@link #then} adds a config-only step (a key that is no parameter, such as
 * {@code use_sigmoid=True} that must stay true).
 *
 * <p>Component types: {@code double}, {@code int}, {@code long}, {@code boolean} (and their boxes),
 * {@code String}, an enum implementing {@link ConfigKey} (spelled by {@link ConfigKey#key()}),
 * {@code double[]}, {@code int[]}, Guava's {@link ImmutableDoubleArray} and
 * {@link ImmutableIntArray}, {@code List<?>} (an immutable copy of the list or tuple), a nested
 * {@link Config}, and a nested record (a dict read by a binder of its own, with the component's
 * default as its defaults; a key the nested record does not have is refused). Any other type is
 * refused when the binder is made, naming the component.
 *
 * <p>Every key is read through the config's getters, so a tracked config ({@link Registry}) knows
 * it was read; a key that is no component stays unread and the registry refuses it, naming it. A
 * value of the wrong type is a {@link ConfigException} at the key's path ({@code "gamma: expected a
 * number, got 'x'"}); an enum value that is no constant's spelling is one too. Errors from the
 * record's constructor propagate as thrown.
 *
 * <p>Made once per record type (a constant beside the type's descriptor); immutable and
 * thread-safe. Binding reflects over the record's accessors and constructor: a few microseconds a
 * build, construction only.
 *
 * @param <R> the record
 */
public final class RecordBinder<R extends Record> implements Function<Config, R> {
  /** How a value of one Java type is read from a present key. */
  @FunctionalInterface
  private interface Reader {
    Object read(Config c, String key);
  }

  /** The plain types and their readers: one read per type, shared by every record. */
  private static final ImmutableMap<Class<?>, Reader> READERS = ImmutableMap.<Class<?>, Reader>builder()
      .put(double.class, Config::getDouble).put(Double.class, Config::getDouble)
      .put(int.class, Config::getInt).put(Integer.class, Config::getInt)
      .put(long.class, Config::getLong).put(Long.class, Config::getLong)
      .put(boolean.class, Config::getBoolean).put(Boolean.class, Config::getBoolean)
      .put(String.class, Config::getString)
      .put(double[].class, Config::getDoubleArray)
      .put(int[].class, Config::getIntArray)
      .put(ImmutableDoubleArray.class, (c, k) -> ImmutableDoubleArray.copyOf(c.getDoubleArray(k)))
      .put(ImmutableIntArray.class, (c, k) -> ImmutableIntArray.copyOf(c.getIntArray(k)))
      .put(List.class, (c, k) -> List.copyOf(c.getList(k)))
      .put(Config.class, Config::getConfig)
      .build();

  /** One component: its config key, whether required, its default and reader. */
  private record Slot(String key, boolean required, Object fallback, Reader reader) {}

  private final Class<R> type;
  private final R defaults;
  private final ImmutableList<Slot> slots;
  private final Constructor<R> constructor;
  private final BiFunction<Config, R, R> then;

  private RecordBinder(Class<R> type, R defaults, BiFunction<Config, R, R> then) {
    this.type = type;
    this.defaults = defaults;
    this.then = then;
    RecordComponent[] components = type.getRecordComponents();
    ImmutableList.Builder<Slot> slots = ImmutableList.builder();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      types[i] = rc.getType();
      ConfigField field = rc.getAnnotation(ConfigField.class);
      String key = keyOf(rc);
      boolean required = defaults == null || (field != null && field.required());
      Object fallback = required ? null : value(rc.getAccessor(), defaults);
      slots.add(new Slot(key, required, fallback, readerOf(rc, fallback)));
    }
    this.slots = slots.build();
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type.getName() + " has no canonical constructor", e);
    }
    constructor.trySetAccessible();
  }

  /**
   * The binder of {@code defaults}' record type, every component defaulting to its value there
   * (unless {@link ConfigField#required()}).
   *
   * @throws NullPointerException if {@code defaults} is null
   * @throws IllegalArgumentException if a component's type has no reader (naming the component)
   */
  @SuppressWarnings("unchecked")
  public static <R extends Record> RecordBinder<R> of(R defaults) {
    Objects.requireNonNull(defaults, "defaults");
    return new RecordBinder<>((Class<R>) defaults.getClass(), defaults, null);
  }

  /**
   * The binder of record {@code type}, every component required.
   *
   * @throws IllegalArgumentException if a component's type has no reader (naming the component)
   */
  public static <R extends Record> RecordBinder<R> required(Class<R> type) {
    return new RecordBinder<>(Objects.requireNonNull(type, "type"), null, null);
  }

  /**
   * This binder followed by {@code step}, which receives the config and the record read from it
   * and returns the record to use: a config-only check or a key that edits a parameter
   * ({@code (c, p) -> c.getBoolean("linear", false) ? p.withMode(LINEAR) : p}).
   */
  public RecordBinder<R> then(BiFunction<Config, R, R> step) {
    Objects.requireNonNull(step, "step");
    BiFunction<Config, R, R> first = then;
    return new RecordBinder<>(type, defaults, first == null ? step : (c, r) -> step.apply(c, first.apply(c, r)));
  }

  /** The record's defaults; null for a binder whose every component is required. */
  public R defaults() {
    return defaults;
  }

  /** The config keys read, in the record's component order. */
  public List<String> keys() {
    return slots.stream().map(Slot::key).toList();
  }

  /**
   * The record read from {@code c}: each component from its key (its default when the key is absent
   * or None), then the record's constructor, then the {@link #then} steps.
   *
   * @throws ConfigException for a required key that is missing, a value of the wrong type or an
   *     unknown enum spelling, at the key's path
   * @throws RuntimeException whatever the record's constructor or a step throws, unchanged
   */
  @Override
  public R apply(Config c) {
    Objects.requireNonNull(c, "c");
    Object[] args = new Object[slots.size()];
    for (int i = 0; i < args.length; i++) {
      Slot s = slots.get(i);
      args[i] = !s.required && c.isNull(s.key) ? s.fallback : s.reader.read(c, s.key);
    }
    R r = construct(args);
    return then == null ? r : then.apply(c, r);
  }

  /** The config key of component {@code name}: its snake_case form ({@code iouWeighted} -> {@code iou_weighted}). */
  public static String keyOf(String name) {
    return CaseFormat.LOWER_CAMEL.to(CaseFormat.LOWER_UNDERSCORE, name);
  }

  /**
   * The config key of record component {@code rc}: its {@link ConfigField#key()} when one is given,
   * else {@link #keyOf(String) its name's snake_case form}. The one rule, which the binder reads by
   * and {@link ParamChecks} names a parameter by, so that a range error and the key it is reported
   * at are always the key the config gives.
   */
  public static String keyOf(RecordComponent rc) {
    ConfigField field = Objects.requireNonNull(rc, "rc").getAnnotation(ConfigField.class);
    return field != null && !field.key().isEmpty() ? field.key() : keyOf(rc.getName());
  }

  private R construct(Object[] args) {
    try {
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      // A record's check throws unchecked exceptions only; they reach the caller as thrown.
      Throwables.throwIfUnchecked(e.getCause());
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  private static Object value(Method accessor, Object record) {
    try {
      accessor.trySetAccessible();
      return accessor.invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + accessor, e);
    }
  }

  /** The reader of component {@code rc}'s type, or an error naming the component. */
  private Reader readerOf(RecordComponent rc, Object fallback) {
    Class<?> t = rc.getType();
    Reader plain = READERS.get(t);
    if (plain != null) {
      return plain;
    }
    if (t.isEnum() && ConfigKey.class.isAssignableFrom(t)) {
      return (c, key) -> parseEnum(t, c, key);
    }
    if (t.isRecord()) {
      return nested(t.asSubclass(Record.class), (Record) fallback);
    }
    throw new IllegalArgumentException(type.getSimpleName() + "." + rc.getName() + ": a config cannot give a "
        + rc.getGenericType().getTypeName() + "; supported: the primitives, String, an enum implementing ConfigKey,"
        + " double[], int[], ImmutableDoubleArray, ImmutableIntArray, List, Config and records");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object parseEnum(Class<?> t, Config c, String key) {
    String spelled = c.getString(key);
    try {
      return ConfigKey.parse((Class) t, key, spelled);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(key), e.getMessage());
    }
  }

  /** A nested record's reader: its own binder over the sub-dict, whose unread keys are refused. */
  private static <N extends Record> Reader nested(Class<N> t, Record fallback) {
    RecordBinder<N> binder = new RecordBinder<>(t, t.cast(fallback), null);
    return (c, key) -> {
      Config sub = c.getConfig(key).tracked();
      N value = binder.apply(sub);
      sub.requireAllRead(null);
      return value;
    };
  }

  @Override
  public String toString() {
    return "RecordBinder[" + type.getSimpleName() + ": " + String.join(", ", keys()) + "]";
  }
}
