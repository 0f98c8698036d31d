package io.detkit.core.assign;

import io.detkit.core.golden.ConformanceSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every golden MaxIoUAssigner / ATSSAssigner / TaskAlignedAssigner case of the manifest, in each stored precision. */
class AssignerConformanceTest {
  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new AssignerRunner());
  }

  @TestFactory
  Stream<DynamicTest> goldenTaskAligned() {
    return ConformanceSuite.tests(new TaskAlignedAssignerRunner());
  }
}
