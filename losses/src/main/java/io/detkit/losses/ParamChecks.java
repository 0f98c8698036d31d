package io.detkit.losses;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.detkit.core.check.Args;
import io.detkit.core.check.Limits;
import io.detkit.core.config.ConfigField;
import io.detkit.core.config.RecordBinder;
import java.lang.annotation.Annotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A loss parameter record's range checks, declared on its components and run by one validator:
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
 * The record's own constructor runs the checks, so {@code X.TYPE.fromConfig}, the builder's withers
 * and plain Java code are refused alike. A failure reads {@code "<Loss>: <key> must be ...; got
 * <value>"}: the loss is the class the record is declared in (none for a record of its own, such as
 * {@link EpsParams} or {@link LossOptions}), the key the component's config key
 * ({@link RecordBinder#keyOf snake_case}, or its {@link ConfigField#key()}); from a config dict
 * {@link LossType#fromConfig} reports it at that key's path. A component without an annotation is
 * not checked here (a record adds its own cross-parameter checks after the call).
 *
 * <p>Stateless; any thread. The per-record table of rules is read once per record type.
 */
public final class ParamChecks {
  private ParamChecks() {}

  /** Finite and {@code > 0}. */
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
   * A histogram's bin count, an int in {@code [1, Limits.MAX_BINS]}: a pass over the bins places
   * each element, and the histogram allocates per bin.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface BinCount {}

  /** Checks {@code value}, throwing an {@link IllegalArgumentException} whose message starts with {@code name}. */
  @FunctionalInterface
  private interface Check {
    void check(String name, Object value);
  }

  /** One rule: the component type it applies to and its check. */
  private record Rule(Class<?> takes, Check check) {}

  /** The rules, one per annotation: the one place each range and its message are written. */
  private static final ImmutableMap<Class<? extends Annotation>, Rule> RULES =
      ImmutableMap.<Class<? extends Annotation>, Rule>builder()
          .put(Positive.class, new Rule(double.class, (name, v) -> Args.positive(name, (Double) v)))
          .put(NonNegative.class, new Rule(double.class, (name, v) -> Args.nonNegative(name, (Double) v)))
          .put(Finite.class, new Rule(double.class, (name, v) -> Args.finite(name, (Double) v)))
          .put(PositiveFloat32.class, new Rule(double.class, (name, v) -> Args.positiveFloat32(name, (Double) v)))
          .put(Fraction.class, new Rule(double.class, (name, v) -> {
            double m = (Double) v;
            if (!(m >= 0 && m < 1)) {
              throw new IllegalArgumentException(name + " must be in [0, 1); got " + m);
            }
          }))
          .put(BinCount.class, new Rule(int.class, (name, v) -> Limits.requireCount(name, (Integer) v, 1,
              Limits.MAX_BINS, "Limits.MAX_BINS")))
          .build();

  /** A checked component: its position, config key, name in messages and rule. */
  private record Checked(int index, String key, String name, Check check) {}

  /** The components of one record type that carry a rule, with the record's component count. */
  private record Table(int components, ImmutableList<Checked> checked) {}

  private static final ClassValue<Table> TABLES = new ClassValue<>() {
    @Override
    protected Table computeValue(Class<?> type) {
      return tableOf(type);
    }
  };

  /**
   * Checks the components of record {@code type} given as {@code values}, in the record's component
   * order (the compact constructor's parameters, all of them): each annotated component by its rule.
   * A count or a type that does not fit the components is refused; two values of one type given in
   * the wrong order are not detectable here, so pass the parameters as the record header lists them.
   *
   * @throws IllegalArgumentException {@code "FocalLoss: gamma must be a finite number >= 0; got -1.0"},
   *     carrying the component's config key for {@link LossType#fromConfig}
   * @throws IllegalStateException if {@code values} do not match the record's components (a
   *     declaration error, raised when the record's {@code DEFAULTS} are first made)
   */
  public static void check(Class<? extends Record> type, Object... values) {
    Table t = TABLES.get(Objects.requireNonNull(type, "type"));
    if (values.length != t.components) {
      throw new IllegalStateException(type.getName() + " has " + t.components + " components; the check got "
          + values.length + " values");
    }
    for (Checked c : t.checked) {
      Checks.param(c.key, () -> {
        c.check.check(c.name, values[c.index]);
        return null;
      });
    }
  }

  private static Table tableOf(Class<?> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    Class<?> owner = type.getEnclosingClass();
    String prefix = owner != null && Loss.class.isAssignableFrom(owner) ? owner.getSimpleName() + ": " : "";
    RecordComponent[] components = type.getRecordComponents();
    List<Checked> checked = new ArrayList<>();
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      Rule rule = null;
      for (Annotation a : rc.getAnnotations()) {
        Rule r = RULES.get(a.annotationType());
        if (r != null) {
          if (rule != null) {
            throw new IllegalStateException(type.getName() + "." + rc.getName() + " has more than one range rule");
          }
          if (r.takes != rc.getType()) {
            throw new IllegalStateException(type.getName() + "." + rc.getName() + ": @"
                + a.annotationType().getSimpleName() + " applies to a " + r.takes + " component");
          }
          rule = r;
        }
      }
      if (rule != null) {
        ConfigField field = rc.getAnnotation(ConfigField.class);
        String key = field != null && !field.key().isEmpty() ? field.key() : RecordBinder.keyOf(rc.getName());
        checked.add(new Checked(i, key, prefix + key, rule.check));
      }
    }
    return new Table(components.length, ImmutableList.copyOf(checked));
  }
}
