package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.primitives.ImmutableDoubleArray;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading a parameter record from a config dict by its components: keys, defaults, types and errors. */
class RecordBinderTest {
  /** An enum spelled in configs by its lower-case name. */
  enum Shape implements ConfigKey {
    BOX,
    CIRCLE
  }

  /** A nested parameter record. */
  record Inner(int bins, double momentum) {
    static final Inner DEFAULTS = new Inner(10, 0.0);
  }

  /** Every supported kind of component, one renamed by annotation and one required. */
  record Params(double gamma, int numBins, boolean iouWeighted, String name, Shape shape,
      ImmutableDoubleArray classWeight, List<Object> sizes, Config extra, Inner inner,
      @ConfigField(key = "thr") double threshold, @ConfigField(required = true) long seed) {
    static final Params DEFAULTS = new Params(2.0, 3, true, "x", Shape.BOX, null, List.of(), null, Inner.DEFAULTS,
        0.5, 0);

    Params {
      if (!(gamma >= 0)) {
        throw new IllegalArgumentException("gamma must be >= 0; got " + gamma);
      }
    }
  }

  private static final RecordBinder<Params> BINDER = RecordBinder.of(Params.DEFAULTS);

  /** A one-component record whose component type no config can give. */
  record Unsupported(Thread thread) {}

  private static Config py(String expr) {
    return ConfigLoader.fromPythonExpression(expr, "t");
  }

  /** A registry building {@link Params} through the binder, so unread keys are refused as in every registry. */
  private static Registry<Params> registry() {
    return new Registry<Params>("thing").register("Thing", BINDER);
  }

  @Test
  void missingKeysTakeTheDefaultsValues() {
    Params p = BINDER.apply(py("dict(seed=7)"));
    assertThat(p).isEqualTo(new Params(2.0, 3, true, "x", Shape.BOX, null, List.of(), null, Inner.DEFAULTS, 0.5, 7));
  }

  @Test
  void noneTakesTheDefaultToo() {
    assertThat(BINDER.apply(py("dict(seed=1, gamma=None, class_weight=None)")).gamma()).isEqualTo(2.0);
  }

  @Test
  void everyComponentIsReadFromItsSnakeCaseKey() {
    Params p = BINDER.apply(py("dict(gamma=1.5, num_bins=5, iou_weighted=False, name='y', shape='circle',"
        + " class_weight=[1, 2.5], sizes=(4, 8), extra=dict(a=1), inner=dict(bins=4), thr=0.7, seed=3)"));
    assertThat(p.gamma()).isEqualTo(1.5);
    assertThat(p.numBins()).isEqualTo(5);
    assertThat(p.iouWeighted()).isFalse();
    assertThat(p.name()).isEqualTo("y");
    assertThat(p.shape()).isEqualTo(Shape.CIRCLE);
    assertThat(p.classWeight()).isEqualTo(ImmutableDoubleArray.of(1, 2.5));
    assertThat(p.sizes()).containsExactly(4L, 8L);
    assertThat(p.extra().getLong("a")).isEqualTo(1);
    assertThat(p.inner()).isEqualTo(new Inner(4, 0.0));
    assertThat(p.threshold()).isEqualTo(0.7);
    assertThat(p.seed()).isEqualTo(3);
    assertThat(BINDER.keys()).containsExactly("gamma", "num_bins", "iou_weighted", "name", "shape", "class_weight",
        "sizes", "extra", "inner", "thr", "seed");
  }

  @Test
  void aRequiredKeyThatIsMissingIsNamed() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> BINDER.apply(py("dict(gamma=1.0)")));
    assertThat(e).hasMessage("seed: missing required key 'seed'; present: gamma");
  }

  /** A bad dict, the exception it gives and its exact message. */
  static Stream<Arguments> badDicts() {
    return Stream.of(
        // A wrong type names the key, the expected type and the value.
        Arguments.of("dict(seed=1, gamma='2')", ConfigException.class, "gamma: expected a number, got '2'"),
        Arguments.of("dict(seed=1, num_bins=2.5)", ConfigException.class, "num_bins: expected an integer, got 2.5"),
        Arguments.of("dict(seed=1, iou_weighted=1)", ConfigException.class,
            "iou_weighted: expected a boolean (True or False), got 1"),
        Arguments.of("dict(seed=1, class_weight=[1, 'a'])", ConfigException.class,
            "class_weight[1]: expected a number, got 'a'"),
        // An unknown enum spelling lists the accepted ones.
        Arguments.of("dict(seed=1, shape='cube')", ConfigException.class,
            "shape: shape must be one of 'box', 'circle'; got 'cube'"),
        // A nested record refuses a key it does not have, at the key's path.
        Arguments.of("dict(seed=1, inner=dict(bins=2, momentun=0.5))", ConfigException.class,
            "inner.momentun: unknown parameter 'momentun'; accepted: momentum, bins"),
        // The record's own check runs, with its own exception and message.
        Arguments.of("dict(seed=1, gamma=-1)", IllegalArgumentException.class, "gamma must be >= 0; got -1.0"));
  }

  @ParameterizedTest
  @MethodSource("badDicts")
  void aBadDictIsRefusedNamingTheKey(String dict, Class<? extends Throwable> type, String message) {
    assertThatThrownBy(() -> BINDER.apply(py(dict))).isExactlyInstanceOf(type).hasMessage(message);
  }

  @Test
  void theErrorPathIncludesTheDictsOwnPath() {
    assertThatThrownBy(() -> BINDER.apply(py("dict(seed=1, gamma='2')").atPath("model.loss")))
        .isInstanceOf(ConfigException.class).hasMessage("model.loss.gamma: expected a number, got '2'");
  }

  @Test
  void theAnnotationsKeyReplacesTheComponentsName() {
    assertThat(registry().build(py("dict(type='Thing', seed=1, thr=0.25)")).threshold()).isEqualTo(0.25);
    assertThatThrownBy(() -> registry().build(py("dict(type='Thing', seed=1, threshold=0.25)")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown parameter 'threshold' for thing type 'Thing'");
  }

  @Test
  void anUnknownKeyIsRefusedByTheRegistryNamingIt() {
    assertThatThrownBy(() -> registry().build(py("dict(type='Thing', seed=1, gama=1.0)")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("gama: unknown parameter 'gama' for thing type 'Thing'; accepted: gamma, ");
  }

  @Test
  void thenStepsRunAfterTheRecordInOrder() {
    RecordBinder<Params> b = BINDER
        .then((c, p) -> c.getBoolean("double_gamma", false) ? new Params(p.gamma() * 2, p.numBins(),
            p.iouWeighted(), p.name(), p.shape(), p.classWeight(), p.sizes(), p.extra(), p.inner(), p.threshold(),
            p.seed()) : p)
        .then((c, p) -> {
          if (p.gamma() > 10) {
            throw new IllegalArgumentException("gamma too large after doubling: " + p.gamma());
          }
          return p;
        });
    assertThat(b.apply(py("dict(seed=1, gamma=3, double_gamma=True)")).gamma()).isEqualTo(6.0);
    assertThatThrownBy(() -> b.apply(py("dict(seed=1, gamma=6, double_gamma=True)")))
        .hasMessage("gamma too large after doubling: 12.0");
    assertThat(b.defaults()).isSameAs(Params.DEFAULTS);
  }

  @Test
  void aBinderWithoutDefaultsRequiresEveryKey() {
    RecordBinder<Inner> b = RecordBinder.required(Inner.class);
    assertThat(b.apply(py("dict(bins=2, momentum=0.5)"))).isEqualTo(new Inner(2, 0.5));
    assertThatThrownBy(() -> b.apply(py("dict(bins=2)")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("missing required key 'momentum'");
  }

  @Test
  void aComponentTypeNoConfigCanGiveIsRefusedWhenTheBinderIsMade() {
    assertThatThrownBy(() -> RecordBinder.required(Unsupported.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Unsupported.thread: a config cannot give a java.lang.Thread; supported:");
  }

  @Test
  void keysAreTheComponentsNamesInSnakeCase() {
    assertThat(RecordBinder.keyOf("iouWeighted")).isEqualTo("iou_weighted");
    assertThat(RecordBinder.keyOf("addGtAsProposals")).isEqualTo("add_gt_as_proposals");
    assertThat(RecordBinder.keyOf("beta")).isEqualTo("beta");
  }
}
