package io.detkit.core.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.factory.Nd4j;
import org.opentest4j.AssertionFailedError;

class ConformanceSuiteTest {
  private final GoldenSet set = GoldenSet.bundled();

  private GoldenCase firstOf(String component) {
    return set.cases().stream().filter(c -> c.component().equals(component)).findFirst().orElseThrow();
  }

  /** The cases of components not implemented yet, reported as skipped with the reason. */
  @TestFactory
  Stream<DynamicTest> pendingComponents() {
    return ConformanceSuite.pendingTests(GoldenSet.load());
  }

  @Test
  void runnerOwningAPendingComponentIsRefused() {
    // A pending list of its own: the real one may be empty (every component implemented).
    String pending = firstOf("GFLHead").component();
    Map<String, String> pendingList = Map.of(pending, "not implemented in this test");
    ComponentRunner runner = new ComponentRunner() {
      @Override
      public Set<String> components() {
        return Set.of(pending);
      }

      @Override
      public CaseOutputs run(GoldenCase c) {
        return new CaseOutputs();
      }
    };
    assertThatThrownBy(() -> ConformanceSuite.tests(set, runner, pendingList::get))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(pending)
        .hasMessageContaining("PendingComponents");
    assertThat(ConformanceSuite.pendingTests(set, pendingList::get).count())
        .isEqualTo(set.cases().stream().filter(c -> c.component().equals(pending)).count());
  }

  @Test
  void ownedCaseWithUnknownCallFailsInsteadOfSkipping() {
    ComponentRunner runner = new ComponentRunner() {
      @Override
      public Set<String> components() {
        return Set.of("bbox_overlaps");
      }

      @Override
      public CaseOutputs run(GoldenCase c) {
        throw new UnsupportedCaseException("unknown call '" + c.method() + "'");
      }
    };
    GoldenCase c = firstOf("bbox_overlaps");
    assertThatThrownBy(() -> ConformanceSuite.check(runner, c))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining(c.id())
        .hasMessageContaining("owned case cannot be run");
  }

  @Test
  void missingOutputIsAFailureNamingIt() {
    ComponentRunner runner = new ComponentRunner() {
      @Override
      public Set<String> components() {
        return Set.of("bbox_overlaps");
      }

      @Override
      public CaseOutputs run(GoldenCase c) {
        return new CaseOutputs();
      }
    };
    GoldenCase c = firstOf("bbox_overlaps");
    assertThatThrownBy(() -> ConformanceSuite.check(runner, c))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("'overlaps'")
        .hasMessageContaining("did not produce");
  }

  @Test
  void wrongValueReportsLargestErrors() {
    ComponentRunner runner = new ComponentRunner() {
      @Override
      public Set<String> components() {
        return Set.of("bbox_overlaps");
      }

      @Override
      public CaseOutputs run(GoldenCase c) {
        var expected = c.expectedOutputs().get("overlaps");
        return new CaseOutputs()
            .output("overlaps", Nd4j.zeros(expected.shape()).addi(5))
            .grad("bboxes1", c.input("bboxes1"))
            .grad("bboxes2", c.input("bboxes2"));
      }
    };
    GoldenCase c = firstOf("bbox_overlaps");
    assertThatThrownBy(() -> ConformanceSuite.check(runner, c))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining(c.id())
        .hasMessageContaining("largest abs error")
        .hasMessageContaining("largest rel error");
  }

  @Test
  void npyInputsKeepShapeAndPrecision() {
    GoldenCase c = firstOf("bbox_overlaps");
    assertThat(c.input("bboxes1").dataType()).isEqualTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    assertThat(c.withPrecision(org.nd4j.linalg.api.buffer.DataType.DOUBLE).input("bboxes1").dataType())
        .isEqualTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
    assertThat(c.input("bboxes1").shape()).containsExactly(7, 4);
  }
}
