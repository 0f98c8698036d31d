package io.detkit.bench;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameEndingWith;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No import cycles in the main code of any module: neither between source files (a class and its
 * nested classes count as one file) nor between packages. A cycle means neither side can be read,
 * tested or changed without the other. This module sees the main classes of every other module
 * (tools through a test dependency), so the check lives here once.
 *
 * <p>The rule reads compiled classes, so it sees every real use (a type, a call, a field) and
 * ignores Javadoc links, which create no dependency.
 */
class ImportCyclesTest {
  private static JavaClasses mainClasses;

  @BeforeAll
  static void importMainClasses() {
    mainClasses = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.detkit");
  }

  @Test
  void readsTheMainClassesOfEveryModule() {
    // Without this, an empty class path would let both rules pass.
    for (String c : new String[] {"io.detkit.core.nms.Nms", "io.detkit.samplers.Samplers", "io.detkit.losses.Loss",
        "io.detkit.heads.AnchorHead", "io.detkit.tools.eval.DetectionEvaluator"}) {
      assertThat(mainClasses.contain(c)).as(c).isTrue();
    }
  }

  @Test
  void sourceFilesDoNotDependOnEachOtherInACycle() {
    slices().assignedFrom(BY_SOURCE_FILE).should().beFreeOfCycles()
        // Known, deep: Config is both the value and the facade of its loader, merger, writer and
        // parser (Config.fromFile, merge, toPython...), which produce and read Configs. Untangling it
        // belongs to the construction-idiom part of issue 18; until then the package's own files may
        // depend on each other, and nothing outside it may join a cycle with them.
        .ignoreDependency(inPackage("io.detkit.core.config"), inPackage("io.detkit.core.config"))
        // Known, deep: a head's parts (anchors, targets, losses, predictor, settings, builder) hold
        // their head to call its overridable hooks or build it. So any class of the heads packages
        // may refer to a head (a class named *Head there); an edge between two parts, or from a head
        // to anything that is not a head, may not close a cycle.
        .ignoreDependency(resideInAPackage("io.detkit.heads.."),
            resideInAPackage("io.detkit.heads..").and(simpleNameEndingWith("Head")))
        // By design: CombinedSampler builds its two samplers through the registry, which
        // registers CombinedSampler.
        .ignoreDependency(inFile("io.detkit.samplers.CombinedSampler"), inFile("io.detkit.samplers.Samplers"))
        .check(mainClasses);
  }

  @Test
  void packagesDoNotDependOnEachOtherInACycle() {
    // No exception: the subpackage heads (gfl, tood, anchorfree) reach the registry front Heads
    // through HeadProviders found by ServiceLoader, not through a compile-time edge.
    slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(mainClasses);
  }

  /** The classes of one source file: the top-level class and its nested ones. */
  private static DescribedPredicate<JavaClass> inFile(String topLevelClass) {
    return DescribedPredicate.describe("in " + topLevelClass + ".java",
        c -> c.getName().equals(topLevelClass) || c.getName().startsWith(topLevelClass + "$"));
  }

  private static DescribedPredicate<JavaClass> inPackage(String name) {
    return DescribedPredicate.describe("in package " + name, c -> c.getPackageName().equals(name));
  }

  /** Whether a class is ours and hand-written: JMH's generated benchmark code is left out. */
  private static boolean checked(JavaClass c) {
    return c.getPackageName().startsWith("io.detkit") && !c.getPackageName().contains("jmh_generated");
  }

  private static String topLevel(String className) {
    int nested = className.indexOf('$');
    return nested < 0 ? className : className.substring(0, nested);
  }

  /**
   * For a class that record-builder generated at compile time (a top-level {@code ...Builder} with a
   * nested {@code With} interface and a static {@code builder(R)}), the source file of the record
   * {@code R} it was generated from: the generated file is part of that record's declaration, not a
   * file anyone reads or edits, and the record's {@code implements ...Builder.With} and the builder's
   * use of the record are one file's edges.
   */
  private static Optional<String> recordBuiltBy(JavaClass c) {
    JavaClass top = c;
    while (top.getEnclosingClass().isPresent()) {
      top = top.getEnclosingClass().get();
    }
    JavaClass builder = top;
    boolean generated = builder.getSimpleName().endsWith("Builder")
        && mainClasses.contain(builder.getName() + "$With");
    if (!generated) {
      return Optional.empty();
    }
    return builder.getMethods().stream()
        .filter(m -> m.getName().equals("builder") && m.getRawParameterTypes().size() == 1)
        .map(m -> topLevel(m.getRawParameterTypes().get(0).getName()))
        .filter(n -> n.startsWith("io.detkit"))
        .findFirst();
  }

  private static final SliceAssignment BY_SOURCE_FILE = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      if (!checked(c)) {
        return SliceIdentifier.ignore();
      }
      String file = topLevel(c.getName());
      return SliceIdentifier.of(recordBuiltBy(c).orElse(file));
    }

    @Override
    public String getDescription() {
      return "source files of io.detkit";
    }
  };

  private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      return checked(c) ? SliceIdentifier.of(c.getPackageName()) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "packages of io.detkit";
    }
  };
}
