package io.detkit.core.coder;

import io.detkit.core.golden.ConformanceSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** MMDetection's golden cases for DeltaXYWHBBoxCoder, TBLRBBoxCoder and DistancePointBBoxCoder. */
class BBoxCoderConformanceTest {
  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new BBoxCoderRunner());
  }
}
