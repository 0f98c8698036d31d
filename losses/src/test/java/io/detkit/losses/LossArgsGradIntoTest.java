package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link LossArgs#gradInto}: every loss writes the bits of its allocating call into the caller's
 * array (reused call after call, whatever it held), hands that array back as {@code gradPred} and
 * leaves it open on {@link LossResult#close()}; arrays that do not fit are refused by name.
 */
class LossArgsGradIntoTest {
  private static final int FOCAL_ROWS = FusedFocal.BLOCK_ROWS * 2 + 37;
  private static final int FOCAL_CLASSES = 80;

  static Stream<Arguments> everyLoss() {
    List<Arguments> cases = new ArrayList<>();
    for (LossScenarios.Subject s : LossScenarios.subjects()) {
      for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        for (String reduction : new String[] {"mean", "none"}) {
          cases.add(Arguments.of(s, dt, reduction));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("everyLoss")
  void everyLossWritesTheAllocatingCallsBitsIntoTheCallersArray(LossScenarios.Subject s, DataType dt,
      String reduction) {
    INDArray[] inputs = s.inputs().make(new Random(7), 37, dt, 2.0);
    LossArgs args = LossScenarios.args(inputs, s.takesWeight());
    // A fresh loss per call: GHM's running statistics must start alike.
    LossResult fresh = s.build(reduction, false).forward(args);
    INDArray out = Nd4j.valueArrayOf(inputs[0].shape(), Double.NaN, dt);
    for (int call = 0; call < 2; call++) {
      out.assign(Double.NaN); // so that a call which skips an element cannot pass on the last call's bits
      try (LossResult into = s.build(reduction, false).forward(args.gradInto(out))) {
        assertThat(into.gradPred()).isSameAs(out);
        assertThat(into.callerOwnsGrad()).isTrue();
        assertThat(bits(out)).isEqualTo(bits(fresh.gradPred()));
        assertThat(bits(into.value())).isEqualTo(bits(fresh.value()));
      }
      assertThat(out.wasClosed()).isFalse();
    }
    fresh.close();
  }

  /**
   * The fused focal path on dense scores writes its blocks straight into the output; a strided view
   * of the same scores takes the Java-array path. Both, fresh or into, are the same bits.
   */
  @ParameterizedTest(name = "{0} weight={1}")
  @CsvSource({"FLOAT, row", "FLOAT, none", "FLOAT, element", "DOUBLE, row", "DOUBLE, none"})
  void fusedFocalGivesTheSameBitsInPlaceStridedFreshAndInto(DataType dt, String weightForm) {
    Random rnd = new Random(11);
    int n = FOCAL_ROWS;
    int c = FOCAL_CLASSES;
    INDArray dense = Tensors.create(LossScenarios.normal(rnd, n * c, 3.0), dt, n, c);
    INDArray wide = Nd4j.create(dt, n, c + 3);
    INDArray strided = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c)).assign(dense);
    assertThat(FusedFocal.denseRows(dense)).isTrue();
    assertThat(FusedFocal.denseRows(strided)).isFalse();
    INDArray labels = LossScenarios.labelIds(rnd, n, c);
    INDArray weight = switch (weightForm) {
      case "row" -> Tensors.create(LossScenarios.uniform(rnd, n, 0, 2), dt, n);
      case "element" -> Tensors.create(LossScenarios.uniform(rnd, n * c, 0, 2), dt, n, c);
      default -> null;
    };
    FocalLoss loss = FocalLoss.TYPE.builder().options(o -> o.withReduction(Reduction.MEAN)).build();
    LossResult reference = loss.forward(LossArgs.of(strided, labels).weight(weight).avgFactor(123.0));
    INDArray out = Nd4j.valueArrayOf(new long[] {n, c}, Double.NaN, dt);
    for (INDArray pred : new INDArray[] {dense, strided}) {
      out.assign(Double.NaN);
      LossArgs args = LossArgs.of(pred, labels).weight(weight).avgFactor(123.0);
      try (LossResult fresh = loss.forward(args); LossResult into = loss.forward(args.gradInto(out))) {
        assertThat(bits(fresh.gradPred())).isEqualTo(bits(reference.gradPred()));
        assertThat(bits(into.gradPred())).isEqualTo(bits(reference.gradPred()));
        assertThat(into.scalar()).isEqualTo(reference.scalar());
        assertThat(fresh.scalar()).isEqualTo(reference.scalar());
      }
    }
    assertThat(out.wasClosed()).isFalse();
    reference.close();
  }

  @Test
  void closingAResultReleasesWhatTheLossMadeOnly() {
    INDArray pred = Tensors.create(new double[] {0.5, -1, 2, 0.1, 3, -2}, DataType.FLOAT, 2, 3);
    INDArray labels = Tensors.createLong(new long[] {0, 3}, 2);
    FocalLoss loss = FocalLoss.TYPE.builder().build();
    LossResult owned = loss.forward(LossArgs.of(pred, labels));
    assertThat(owned.callerOwnsGrad()).isFalse();
    owned.close();
    owned.close();
    assertThat(owned.gradPred().wasClosed()).isTrue();
    assertThat(owned.value().wasClosed()).isTrue();
    INDArray out = Nd4j.create(DataType.FLOAT, 2, 3);
    LossResult into = loss.forward(LossArgs.of(pred, labels).gradInto(out));
    into.close();
    assertThat(into.value().wasClosed()).isTrue();
    assertThat(out.wasClosed()).isFalse();
    assertThat(pred.wasClosed()).isFalse();
  }

  @Test
  void nullGoesBackToANewArray() {
    INDArray pred = Tensors.create(new double[] {0.5, -1, 2, 0.1}, DataType.DOUBLE, 2, 2);
    INDArray out = Nd4j.create(DataType.DOUBLE, 2, 2);
    LossArgs args = LossArgs.of(pred, Tensors.createLong(new long[] {1, 2}, 2)).gradInto(out).gradInto(null);
    assertThat(args.gradInto()).isEmpty();
    try (LossResult r = FocalLoss.TYPE.builder().build().forward(args)) {
      assertThat(r.gradPred()).isNotSameAs(out);
      assertThat(r.callerOwnsGrad()).isFalse();
    }
  }

  @Test
  void anEmptyCallWritesNothingAndHandsBackTheCallersArray() {
    INDArray pred = Nd4j.create(DataType.FLOAT, 0, 4);
    INDArray out = Nd4j.create(DataType.FLOAT, 0, 4);
    Loss loss = L1Loss.TYPE.builder().build();
    try (LossResult r = loss.forward(LossArgs.of(pred, Nd4j.create(DataType.FLOAT, 0, 4)).gradInto(out))) {
      assertThat(r.gradPred()).isSameAs(out);
      assertThat(r.scalar()).isEqualTo(0.0);
    }
  }

  /** A user's loss whose {@code compute} builds its own result still fills the caller's array. */
  @Test
  void aLossThatMakesItsOwnGradientStillFillsTheCallersArray() {
    Loss doubling = new Doubling();
    INDArray pred = Tensors.create(new double[] {1, -2, 3}, DataType.FLOAT, 3);
    INDArray out = Nd4j.create(DataType.FLOAT, 3);
    try (LossResult r = doubling.forward(LossArgs.of(pred).gradInto(out))) {
      assertThat(r.gradPred()).isSameAs(out);
      assertThat(r.callerOwnsGrad()).isTrue();
      assertThat(Tensors.toDoubles(out)).containsExactly(2, -4, 6);
    }
    assertThat(out.wasClosed()).isFalse();
  }

  static Stream<Arguments> misfits() {
    INDArray wide = Nd4j.create(DataType.FLOAT, 4, 5);
    return Stream.of(
        Arguments.of("other shape", Nd4j.create(DataType.FLOAT, 3, 4), "pred's shape [4,3]; got [3,4]"),
        Arguments.of("other dtype", Nd4j.create(DataType.DOUBLE, 4, 3), "pred's dtype FLOAT; got DOUBLE"),
        Arguments.of("strided view", wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)), "dense C-order"),
        Arguments.of("offset view", Nd4j.create(DataType.FLOAT, 5, 3).get(NDArrayIndex.interval(1, 5),
            NDArrayIndex.all()), "dense C-order"),
        Arguments.of("F order", Nd4j.create(DataType.FLOAT, new long[] {4, 3}, 'f'), "order 'f'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misfits")
  void anOutputThatDoesNotFitIsRefusedByName(String what, INDArray out, String message) {
    INDArray pred = Nd4j.create(DataType.FLOAT, 4, 3);
    LossArgs args = LossArgs.of(pred, Tensors.createLong(new long[] {0, 1, 2, 3}, 4));
    assertThatThrownBy(() -> args.gradInto(out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gradInto").hasMessageContaining(message);
  }

  @Test
  void anOutputSharingAnInputsMemoryIsRefused() {
    INDArray pred = Tensors.create(new double[] {0.5, -1, 2, 0.1}, DataType.FLOAT, 2, 2);
    INDArray labels = Tensors.createLong(new long[] {1, 2}, 2);
    FocalLoss loss = FocalLoss.TYPE.builder().build();
    assertThatThrownBy(() -> loss.forward(LossArgs.of(pred, labels).gradInto(pred)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradInto must not share memory with pred");
    INDArray weight = Nd4j.create(DataType.FLOAT, 2, 2);
    assertThatThrownBy(() -> loss.forward(LossArgs.of(pred, labels).gradInto(weight).weight(weight)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with weight");
  }

  /** The raw bits of every element, so that -0.0, +0.0 and NaN payloads count. */
  private static long[] bits(INDArray a) {
    double[] d = Tensors.toDoubles(a);
    long[] out = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = Double.doubleToRawLongBits(d[i]);
    }
    return out;
  }

  /** A closed array would be written through freed memory: it is refused before the call. */
  @Test
  void aClosedGradientArrayIsRefused() {
    INDArray pred = Tensors.create(new double[] {1, -2, 3}, DataType.FLOAT, 3);
    INDArray out = Nd4j.create(DataType.FLOAT, 3);
    out.close();
    assertThatThrownBy(() -> LossArgs.of(pred).gradInto(out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gradInto must be an open array; got one already closed (shape [3])");
  }

  /** A compute that hands back one of the call's inputs as its gradient must not get that input closed. */
  @Test
  void aLossWhoseGradientIsItsInputLeavesTheInputOpen() {
    INDArray pred = Tensors.create(new double[] {1, -2, 3}, DataType.FLOAT, 3);
    INDArray out = Nd4j.create(DataType.FLOAT, 3);
    try (LossResult r = new HalfSquare().forward(LossArgs.of(pred).gradInto(out))) {
      assertThat(r.gradPred()).isSameAs(out);
      assertThat(Tensors.toDoubles(out)).containsExactly(1, -2, 3);
    }
    assertThat(pred.wasClosed()).isFalse();
    assertThat(Tensors.toDoubles(pred)).containsExactly(1, -2, 3);
  }

  /** Half the squared sum: its gradient is {@code pred} itself, which compute returns as it is. */
  private static final class HalfSquare extends Loss {
    HalfSquare() {
      super(LossOptions.DEFAULTS);
    }

    @Override
    protected LossResult compute(LossArgs args, Reduction r) {
      double half = 0.5 * args.pred().mul(args.pred()).sumNumber().doubleValue();
      return new LossResult(Nd4j.scalar(args.pred().dataType(), half), args.pred(), r);
    }

    @Override
    protected Elementwise kernel(LossArgs args) {
      throw new UnsupportedOperationException("compute is overridden");
    }
  }

  /** A loss whose {@code compute} returns a gradient it made itself (twice {@code pred}). */
  private static final class Doubling extends Loss {
    Doubling() {
      super(LossOptions.DEFAULTS);
    }

    @Override
    protected LossResult compute(LossArgs args, Reduction r) {
      return new LossResult(Nd4j.scalar(args.pred().dataType(), 1.0), args.pred().mul(2), r);
    }

    @Override
    protected Elementwise kernel(LossArgs args) {
      throw new UnsupportedOperationException("compute is overridden");
    }
  }
}
