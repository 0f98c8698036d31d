package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenMpThreadsTest {
  @Test
  void callsBelowTheThresholdRunOnOneThreadAndLargerOnesOnThePool() {
    assertThat(OpenMpThreads.threadsFor(63_999_999L, 2, 64_000_000L)).isEqualTo(1);
    assertThat(OpenMpThreads.threadsFor(64_000_000L, 2, 64_000_000L)).isEqualTo(2);
    assertThat(OpenMpThreads.threadsFor(1L << 40, 4, 64_000_000L)).isEqualTo(4);
  }

  @Test
  void aZeroThresholdGivesEveryCallThePool() {
    assertThat(OpenMpThreads.threadsFor(1, 2, 0)).isEqualTo(2);
    assertThat(OpenMpThreads.threadsFor(0, 3, 0)).isEqualTo(3);
  }

  @Test
  void aThreadAlreadyOnOneThreadIsNotSetAgainForASmallCall() {
    assertThat(OpenMpThreads.needsSetting(1, true)).isFalse();
    assertThat(OpenMpThreads.needsSetting(1, false)).isTrue();
    assertThat(OpenMpThreads.needsSetting(2, true)).isTrue();
    assertThat(OpenMpThreads.needsSetting(2, false)).isTrue();
  }

  @Test
  void aPoolOfOneThreadStaysOne() {
    assertThat(OpenMpThreads.threadsFor(1L << 40, 1, 64_000_000L)).isEqualTo(1);
    assertThat(OpenMpThreads.threadsFor(1, 1, 0)).isEqualTo(1);
  }

  @Test
  void theShippedThresholdIsTheDefaultAndANegativeOneIsRefused() {
    assertThat(OpenMpThreads.DEFAULT_MIN_WORK).isEqualTo(64_000_000L);
    if (System.getProperty("detkit.ompMinWork") == null) {
      assertThat(OpenMpThreads.minWork()).isEqualTo(64_000_000L);
    }
    long old = OpenMpThreads.setMinWork(5);
    try {
      assertThat(OpenMpThreads.minWork()).isEqualTo(5);
      assertThatThrownBy(() -> OpenMpThreads.setMinWork(-1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("detkit.ompMinWork").hasMessageContaining("-1");
      assertThat(OpenMpThreads.minWork()).isEqualTo(5);
    } finally {
      OpenMpThreads.setMinWork(old);
    }
  }
}
