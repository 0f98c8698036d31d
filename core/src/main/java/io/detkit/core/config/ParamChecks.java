package io.detkit.core.config;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.Primitives;
import io.detkit.core.check.Args;
import io.detkit.core.check.Limits;
import java.lang.annotation.Annotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A parameter record's range checks, declared on its components and run by one validator; every
 * module's component parameters (losses, samplers, assigners, box coders) are checked this way:
 *
 * <pre>{@code
 * public record Params(@NonNegative double gamma, @Finite double alpha, boolean activated) {
 *   public static final Params DEFAULTS = new Params(2.0, 0.25, false);
 *
 *   public Params {
 *     ParamChecks.check(Params.class, gamma, alpha, activated);
 *   }
 * }
 * }</pre>
 * The record's own constructor runs the checks, so {@link ComponentType#fromConfig}, a builder's
 * withers and plain Java code are refused alike. A failure reads
 * {@code "<Component>: <key> must be ...; got <value>"}: the component is the class a record named
 * {@code Params} is declared in, a component's own parameters by convention (none for a record of
 * its own, such as a kind's shared options), the key the component's config key
 * ({@link RecordBinder#keyOf snake_case}, or its {@link ConfigField#key()}); from a config dict
 * {@link ComponentType#fromConfig} reports it at that key's path ({@link BadParameter#key()}). A
 * component without an annotation is not checked here: a rule across components (a range's
 * {@code low <= high}, a value whose meaning depends on another) stays a hand check in the record's
 * constructor after the call, which its Javadoc names.
 *
 * <p>Stateless; any thread. The per-record table of rules is read once per record type.
 */
public final class ParamChecks {
  private ParamChecks() {}

  /** Finite and {@code > 0} (a {@code double}); {@code > 0} (an {@code int}: a count). */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface Positive {}

  /** Finite and {@code >= 0}. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface NonNegative {}

  /** Finite. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface Finite {}

  /**
   * Not NaN: a threshold where an infinity means "never" or "always" but NaN would compare false
   * everywhere and silently disable it.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface NotNaN {}

  /**
   * {@code > 0} and still finite and {@code > 0} in float32, for a parameter that float32
   * predictions compute with ({@code eps}): 1e308 would round to infinity there, 1e-300 to zero.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface PositiveFloat32 {}

  /** A fraction in {@code [0, 1)} (a running statistic's momentum). */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface Fraction {}

  /**
   * A share in {@code [0, 1]} (a sampler's positive fraction, ATSS's {@code alpha}); on a
   * {@code Double} component null (MMDetection's {@code None}) passes.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface UnitInterval {}

  /** An int that is 0 or 1: mmcv's legacy pixel {@code offset}, added to box widths and heights. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface ZeroOrOne {}

  /**
   * A histogram's bin count, an int in {@code [1, Limits.MAX_BINS]}: a pass over the bins places
   * each element, and the histogram allocates per bin.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface BinCount {}

  /**
   * A parameter out of range, with the config key it came from, so that
   * {@link ComponentType#fromConfig} can report the key's dotted path while a builder's caller sees
   * the plain message.
   */
  public static final class BadParameter extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    /** A failure of parameter {@code key} (its config key) reading {@code message}. */
    public BadParameter(String key, String message) {
      super(message);
      this.key = Objects.requireNonNull(key, "key");
    }

    /** The config key of the parameter. */
    public String key() {
      return key;
    }
  }

  /**
   * Runs {@code check}, whose {@link IllegalArgumentException} becomes a {@link BadParameter} of
   * {@code key} (one already naming its key passes unchanged): for a hand check that
   * {@link ComponentType#fromConfig} should report at the key's path.
   */
  public static <T> T param(String key, Supplier<T> check) {
    return Args.renamed(check, BadParameter.class, e -> new BadParameter(key, e.getMessage()));
  }

  /** Checks {@code value}, throwing an {@link IllegalArgumentException} whose message starts with {@code name}. */
  @FunctionalInterface
  private interface Check {
    void check(String name, Object value);
  }

  private static void unitInterval(String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1]; got " + v);
    }
  }

  /**
   * The rules, one per annotation, each by the component types it applies to: the one place each
   * range and its message are written.
   */
  private static final ImmutableMap<Class<? extends Annotation>, ImmutableMap<Class<?>, Check>> RULES =
      ImmutableMap.<Class<? extends Annotation>, ImmutableMap<Class<?>, Check>>builder()
          .put(Positive.class, ImmutableMap.of(
              double.class, (name, v) -> Args.positive(name, (Double) v),
              int.class, (name, v) -> {
                int n = (Integer) v;
                if (n < 1) {
                  throw new IllegalArgumentException(name + " must be > 0; got " + n);
                }
              }))
          .put(NonNegative.class, ImmutableMap.of(double.class, (name, v) -> Args.nonNegative(name, (Double) v)))
          .put(Finite.class, ImmutableMap.of(double.class, (name, v) -> Args.finite(name, (Double) v)))
          .put(NotNaN.class, ImmutableMap.of(double.class, (name, v) -> Args.notNaN(name, (Double) v)))
          .put(PositiveFloat32.class, ImmutableMap.of(double.class,
              (name, v) -> Args.positiveFloat32(name, (Double) v)))
          .put(Fraction.class, ImmutableMap.of(double.class, (name, v) -> {
            double m = (Double) v;
            if (!(m >= 0 && m < 1)) {
              throw new IllegalArgumentException(name + " must be in [0, 1); got " + m);
            }
          }))
          .put(UnitInterval.class, ImmutableMap.of(
              double.class, (name, v) -> unitInterval(name, (Double) v),
              Double.class, (name, v) -> {
                if (v != null) {
                  unitInterval(name, (Double) v);
                }
              }))
          .put(ZeroOrOne.class, ImmutableMap.of(int.class, (name, v) -> {
            int n = (Integer) v;
            if (n != 0 && n != 1) {
              throw new IllegalArgumentException(name + " must be 0 or 1; got " + n);
            }
          }))
          .put(BinCount.class, ImmutableMap.of(int.class, (name, v) -> Limits.requireCount(name, (Integer) v, 1,
              Limits.MAX_BINS, "Limits.MAX_BINS")))
          .build();

  /** A checked component: its position, config key, name in messages and rule. */
  private record Checked(int index, String key, String name, Check check) {}

  /**
   * The components of one record type that carry a rule, with the record's components' names and
   * (boxed) types, against which the values a compact constructor passes are matched.
   */
  private record Table(ImmutableList<String> names, ImmutableList<Class<?>> types, ImmutableList<Checked> checked) {}

  private static final ClassValue<Table> TABLES = new ClassValue<>() {
    @Override
    protected Table computeValue(Class<?> type) {
      return tableOf(type);
    }
  };

  /**
   * Checks the components of record {@code type} given as {@code values}, in the record's component
   * order (the compact constructor's parameters, all of them): each annotated component by its rule.
   * A count, or a value whose type is not its component's, is refused, so a list that drifted from
   * the record header (a component added, removed or moved past one of another type) fails when the
   * record's first value is made; two values of one type given in the wrong order are not
   * detectable here, so pass the parameters as the record header lists them.
   *
   * @throws BadParameter {@code "FocalLoss: gamma must be a finite number >= 0; got -1.0"},
   *     carrying the component's config key for {@link ComponentType#fromConfig}
   * @throws IllegalStateException if {@code values} do not match the record's components (a
   *     declaration error, raised when the record's first value is made)
   */
  public static void check(Class<? extends Record> type, Object... values) {
    Table t = TABLES.get(Objects.requireNonNull(type, "type"));
    if (values.length != t.types.size()) {
      throw new IllegalStateException(type.getName() + " has " + t.types.size() + " components; the check got "
          + values.length + " values");
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null && !t.types.get(i).isInstance(values[i])) {
        throw new IllegalStateException(type.getName() + "." + t.names.get(i) + " is component " + i + " of type "
            + t.types.get(i).getSimpleName() + "; the check got a " + values[i].getClass().getSimpleName()
            + " there: pass the components in the record header's order");
      }
    }
    for (Checked c : t.checked) {
      param(c.key, () -> {
        c.check.check(c.name, values[c.index]);
        return null;
      });
    }
  }

  /**
   * The prefix of a record's messages: {@code "<Component>: "} for a component's own parameters (a
   * record named {@code Params} nested in the component's class), none for a record of its own.
   */
  private static String prefixOf(Class<?> type) {
    Class<?> owner = type.getEnclosingClass();
    return owner != null && type.getSimpleName().equals("Params") && !owner.getSimpleName().isEmpty()
        ? owner.getSimpleName() + ": " : "";
  }

  private static Table tableOf(Class<?> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    String prefix = prefixOf(type);
    RecordComponent[] components = type.getRecordComponents();
    List<Checked> checked = new ArrayList<>();
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      Check rule = null;
      for (Annotation a : rc.getAnnotations()) {
        ImmutableMap<Class<?>, Check> byType = RULES.get(a.annotationType());
        if (byType != null) {
          if (rule != null) {
            throw new IllegalStateException(type.getName() + "." + rc.getName() + " has more than one range rule");
          }
          rule = byType.get(rc.getType());
          if (rule == null) {
            throw new IllegalStateException(type.getName() + "." + rc.getName() + ": @"
                + a.annotationType().getSimpleName() + " applies to a "
                + byType.keySet().stream().map(Class::getSimpleName).collect(Collectors.joining(" or "))
                + " component");
          }
        }
      }
      if (rule != null) {
        String key = RecordBinder.keyOf(rc);
        checked.add(new Checked(i, key, prefix + key, rule));
      }
    }
    return new Table(Arrays.stream(components).map(RecordComponent::getName).collect(ImmutableList.toImmutableList()),
        Arrays.stream(components).map(rc -> Primitives.wrap(rc.getType())).collect(ImmutableList.toImmutableList()),
        ImmutableList.copyOf(checked));
  }
}
