package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link SystemSettings}: a set switch is read as given, a bad one refused by name. */
class SystemSettingsTest {
  private static final String KEY = "detkit.test.systemSettings";

  @AfterEach
  void clear() {
    System.clearProperty(KEY);
  }

  @Test
  void anUnsetPropertyGivesTheDefault() {
    assertThat(SystemSettings.longAtLeast(KEY, 42, 0)).isEqualTo(42);
  }

  @Test
  void aSetPropertyIsReadAsGiven() {
    System.setProperty(KEY, " 5000000 ");
    assertThat(SystemSettings.longAtLeast(KEY, 42, 0)).isEqualTo(5_000_000L);
    System.setProperty(KEY, "1");
    assertThat(SystemSettings.longAtLeast(KEY, 42, 1)).isEqualTo(1);
  }

  @Test
  void aValueThatIsNoIntegerIsRefusedNamingTheProperty() {
    System.setProperty(KEY, "64M");
    assertThatThrownBy(() -> SystemSettings.longAtLeast(KEY, 42, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-Ddetkit.test.systemSettings must be an integer >= 0; got '64M'");
  }

  @Test
  void aValueBelowTheMinimumIsRefused() {
    System.setProperty(KEY, "0");
    assertThatThrownBy(() -> SystemSettings.longAtLeast(KEY, 2, 1))
        .hasMessage("-Ddetkit.test.systemSettings must be an integer >= 1; got '0'");
  }

  @Test
  void aFlagIsTrueOrFalseAndNothingElse() {
    assertThat(SystemSettings.flag(KEY)).isFalse();
    System.setProperty(KEY, "TRUE");
    assertThat(SystemSettings.flag(KEY)).isTrue();
    System.setProperty(KEY, "false");
    assertThat(SystemSettings.flag(KEY)).isFalse();
    System.setProperty(KEY, "yes");
    assertThatThrownBy(() -> SystemSettings.flag(KEY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-Ddetkit.test.systemSettings must be true or false; got 'yes'");
  }
}
