package io.detkit.core.golden;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.opentest4j.AssertionFailedError;

/**
 * Turns the golden set into JUnit dynamic tests, one per case and precision, named
 * {@code <case id> [f32]} / {@code <case id> [f64]} so Surefire's reports list each case.
 *
 * <p>Use from a {@code @TestFactory}: {@code return ConformanceSuite.tests(new MyRunner());}.
 * A case of an owned component always runs: an unsupported call is a failure, not a skip.
 */
public final class ConformanceSuite {
  private ConformanceSuite() {}

  /** Dynamic tests for every case of the loaded set that {@code runner} owns. */
  public static Stream<DynamicTest> tests(ComponentRunner runner) {
    return tests(GoldenSet.load(), runner);
  }

  /** Dynamic tests for every case of {@code set} that {@code runner} owns. */
  public static Stream<DynamicTest> tests(GoldenSet set, ComponentRunner runner) {
    return tests(set, runner, PendingComponents::reason);
  }

  /**
   * {@link #tests(GoldenSet, ComponentRunner)} against the pending list {@code pendingReason}
   * (component to reason, null when not pending), so the refusal is testable whatever is pending.
   */
  static Stream<DynamicTest> tests(GoldenSet set, ComponentRunner runner, Function<String, String> pendingReason) {
    for (String component : runner.components()) {
      if (pendingReason.apply(component) != null) {
        throw new IllegalStateException(component + " has a runner but is still listed in PendingComponents;"
            + " remove it there so its cases count");
      }
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (GoldenCase c : set.cases()) {
      if (!runner.components().contains(c.component())) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(c.id() + " [f32]", () -> check(runner, c)));
      if (c.hasF64() && !c.expectsError()) {
        GoldenCase c64 = c.withPrecision(DataType.DOUBLE);
        tests.add(DynamicTest.dynamicTest(c.id() + " [f64]", () -> check(runner, c64)));
      }
    }
    if (tests.isEmpty()) {
      tests.add(DynamicTest.dynamicTest("no cases for " + runner.components() + " in " + set.description(),
          () -> { }));
    }
    return tests.stream();
  }

  /**
   * One skipped test per case of a {@linkplain PendingComponents pending} component, aborted with
   * the reason, so reports show what is not implemented yet instead of omitting it.
   */
  public static Stream<DynamicTest> pendingTests(GoldenSet set) {
    return pendingTests(set, PendingComponents::reason);
  }

  /** {@link #pendingTests(GoldenSet)} against the pending list {@code pendingReason}. */
  static Stream<DynamicTest> pendingTests(GoldenSet set, Function<String, String> pendingReason) {
    List<DynamicTest> tests = new ArrayList<>();
    for (GoldenCase c : set.cases()) {
      String reason = pendingReason.apply(c.component());
      if (reason != null) {
        tests.add(DynamicTest.dynamicTest(c.id() + " [pending]", () -> Assumptions.abort(reason)));
      }
    }
    return tests.stream();
  }

  /** Runs one case and compares everything it expects; throws {@link AssertionError} on a mismatch. */
  public static void check(ComponentRunner runner, GoldenCase c) throws Exception {
    CaseOutputs actual;
    try {
      actual = runner.run(c);
    } catch (UnsupportedCaseException e) {
      throw new AssertionFailedError(c.id() + ": owned case cannot be run: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (c.expectsError()) {
        return;
      }
      throw e;
    }
    if (c.expectsError()) {
      throw new AssertionFailedError(c.id() + ": MMDetection raised (" + c.expectedErrorText()
          + ") but detkit returned normally");
    }
    for (GoldenCase.Expected e : c.expectedOutputs().values()) {
      compare(c, "output", e, actual.outputs());
    }
    for (GoldenCase.Expected e : c.expectedGrads().values()) {
      compare(c, "gradient w.r.t.", e, actual.grads());
    }
  }

  private static void compare(GoldenCase c, String what, GoldenCase.Expected e, Map<String, Object> actual) {
    String label = c.id() + " [" + (c.precision() == DataType.DOUBLE ? "f64" : "f32") + "] " + what + " '"
        + e.name() + "'";
    if (!actual.containsKey(e.name())) {
      throw new AssertionFailedError(label + ": the runner did not produce it (unknown output name?)");
    }
    Object a = actual.get(e.name());
    if (e.isNone()) {
      if (a != CaseOutputs.NONE && a != null) {
        throw new AssertionFailedError(label + ": expected None, got " + a);
      }
      return;
    }
    if (a == CaseOutputs.NONE || a == null) {
      throw new AssertionFailedError(label + ": expected a value, got None");
    }
    double[] values;
    long[] shape;
    if (a instanceof INDArray arr) {
      shape = arr.shape();
      values = arr.isEmpty() ? new double[0] : arr.castTo(DataType.DOUBLE).reshape(arr.length()).toDoubleVector();
    } else if (a instanceof Number n) {
      shape = new long[0];
      values = new double[] {n.doubleValue()};
    } else {
      throw new AssertionFailedError(label + ": unsupported actual type " + a.getClass());
    }
    if (!e.isScalar() && !sameShape(shape, e.shape())) {
      throw new AssertionFailedError(label + ": shape " + Arrays.toString(shape) + " but expected "
          + Arrays.toString(e.shape()));
    }
    if (values.length != e.data().length) {
      throw new AssertionFailedError(label + ": " + values.length + " values but expected " + e.data().length);
    }
    GoldenCase.Tolerance tol = c.tolerance();
    double maxAbs = 0;
    double maxRel = 0;
    int firstBad = -1;
    for (int i = 0; i < values.length; i++) {
      double exp = e.data()[i];
      double act = values[i];
      boolean ok;
      if (!Double.isFinite(exp)) {
        // detkit's one deliberate difference: where MMDetection yields NaN or Inf we return a finite value.
        ok = Double.isFinite(act);
      } else if (e.integral()) {
        ok = act == exp;
      } else {
        ok = tol.accepts(act, exp);
      }
      if (Double.isFinite(exp)) {
        double abs = Math.abs(act - exp);
        if (Double.isNaN(abs)) {
          abs = Double.POSITIVE_INFINITY;
        }
        maxAbs = Math.max(maxAbs, abs);
        maxRel = Math.max(maxRel, abs / Math.max(Math.abs(exp), 1e-30));
      }
      if (!ok && firstBad < 0) {
        firstBad = i;
      }
    }
    if (firstBad >= 0) {
      throw new AssertionFailedError(String.format(
          "%s: mismatch (tolerance abs=%g rel=%g); largest abs error %.6g, largest rel error %.6g;"
              + " first bad flat index %d: actual %.9g, expected %.9g",
          label, tol.abs(), tol.rel(), maxAbs, maxRel, firstBad, values[firstBad], e.data()[firstBad]));
    }
  }

  private static boolean sameShape(long[] a, long[] b) {
    long[] x = squeezeScalar(a);
    long[] y = squeezeScalar(b);
    return Arrays.equals(x, y);
  }

  private static long[] squeezeScalar(long[] s) {
    return s.length == 1 && s[0] == 1 ? new long[0] : s;
  }
}
