package io.detkit.core.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How {@link RecordBinder} reads one component of a parameter record, where the defaults do not
 * fit: a config key that is not the component's name in snake_case, or a key the config must give
 * (the record's defaults then do not stand in for it). A component without the annotation is read
 * from its snake_case name ({@code iouWeighted} from {@code iou_weighted}) and defaults to the
 * binder's defaults.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface ConfigField {
  /** The config key; empty (the default) for the component's name in snake_case. */
  String key() default "";

  /** Whether the key must be present (a missing key is a {@link ConfigException} naming it). */
  boolean required() default false;
}
