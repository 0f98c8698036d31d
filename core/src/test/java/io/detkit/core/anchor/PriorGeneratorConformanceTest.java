package io.detkit.core.anchor;

import io.detkit.core.golden.ConformanceSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** MMDetection's golden cases for AnchorGenerator and SSDAnchorGenerator. */
class PriorGeneratorConformanceTest {
  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new PriorGeneratorRunner());
  }
}
