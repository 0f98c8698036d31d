package io.detkit.heads;

import io.detkit.core.golden.ConformanceSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every golden case of AnchorHead, RPNHead, RetinaHead, ATSSHead, GFLHead, TOODHead, FCOSHead and VFNetHead against MMDetection's results. */
class HeadConformanceTest {
  @TestFactory
  Stream<DynamicTest> golden() {
    return ConformanceSuite.tests(new HeadRunner());
  }

  @TestFactory
  Stream<DynamicTest> goldenFcos() {
    return ConformanceSuite.tests(new FCOSHeadRunner());
  }

  @TestFactory
  Stream<DynamicTest> goldenGfl() {
    return ConformanceSuite.tests(new GFLHeadRunner());
  }

  @TestFactory
  Stream<DynamicTest> goldenTood() {
    return ConformanceSuite.tests(new TOODHeadRunner());
  }

  @TestFactory
  Stream<DynamicTest> goldenVfnet() {
    return ConformanceSuite.tests(new VFNetHeadRunner());
  }
}
