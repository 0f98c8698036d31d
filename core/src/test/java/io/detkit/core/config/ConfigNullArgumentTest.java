package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config entry points report null arguments as IllegalArgumentExceptions naming them. */
class ConfigNullArgumentTest {
  @Test
  void nullArgumentsAreIllegalArguments() {
    assertThatThrownBy(() -> Config.of((Object[]) null)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("keysAndValues must not be null");
    assertThatThrownBy(() -> Config.of((Map<?, ?>) null)).hasMessage("map must not be null");
    assertThatThrownBy(() -> Config.of(null, Map.of())).hasMessage("path must not be null");
    assertThatThrownBy(() -> Config.of("a", 1).accept((String[]) null)).hasMessage("keys must not be null");
    assertThatThrownBy(() -> Config.of("a", 1).atPath(null)).hasMessage("path must not be null");
    assertThatThrownBy(() -> PyTuple.of(null)).hasMessage("items must not be null");
    assertThatThrownBy(() -> ConfigLoader.fromJson(null, "x.json")).hasMessage("source must not be null");
    assertThatThrownBy(() -> ConfigOverrides.parseValue(null)).hasMessage("text must not be null");
    assertThatThrownBy(() -> new Registry<Object>(null)).hasMessage("kind must not be null");
  }
}
