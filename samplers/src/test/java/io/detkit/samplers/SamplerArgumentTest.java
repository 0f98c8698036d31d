package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bad arguments of the sampler helpers are IllegalArgumentExceptions in MMDetection's names. */
class SamplerArgumentTest {
  @Test
  void indexSamplingNamesNullArguments() {
    assertThatThrownBy(() -> IndexSampling.positives(null)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("assign_result must not be null");
    assertThatThrownBy(() -> IndexSampling.negatives(null)).hasMessage("assign_result must not be null");
    assertThatThrownBy(() -> IndexSampling.sortedUnique(null)).hasMessage("values must not be null");
    assertThatThrownBy(() -> IndexSampling.choose(null, 0, new SplittableRandom(1)))
        .hasMessage("gallery must not be null");
  }

  @Test
  void samplingResultOfNamesItsArgumentsLikeMmdetection() {
    AssignResult a = Fixtures.assign(1, 1, 0);
    assertThatThrownBy(() -> SamplingResult.of(null, new int[0], Fixtures.boxes(2), Fixtures.gts(1), a, null))
        .hasMessage("pos_inds must not be null");
    assertThatThrownBy(() -> SamplingResult.of(new int[0], null, Fixtures.boxes(2), Fixtures.gts(1), a, null))
        .hasMessage("neg_inds must not be null");
    assertThatThrownBy(() -> SamplingResult.of(new int[0], new int[0], Fixtures.boxes(2), Fixtures.gts(1), null,
        null)).hasMessage("assign_result must not be null");
  }

  @Test
  void nonFiniteBoxesAreRejectedBeforeSampling() {
    AssignResult a = Fixtures.assign(1, 1, 0);
    INDArray nan = Tensors.create(new double[] {0, 0, 10, 10, 1, 1, Double.NaN, 11}, DataType.FLOAT, 2, 4);
    assertThatThrownBy(() -> RandomSampler.TYPE.builder(8, 0.5)
        .build().sample(a, nan, Fixtures.gts(1), Fixtures.labels(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bboxes must be finite; element 6 is NaN");
    INDArray gtInf = Tensors.create(new double[] {0, 0, Double.POSITIVE_INFINITY, 10}, DataType.FLOAT, 1, 4);
    assertThatThrownBy(() -> PseudoSampler.INSTANCE.sample(a, Fixtures.boxes(2), gtInf))
        .hasMessage("gt_bboxes must be finite; element 2 is Infinity");
    assertThatThrownBy(() -> SamplingResult.of(new int[0], new int[0], nan, Fixtures.gts(1), a, null))
        .hasMessage("bboxes must be finite; element 6 is NaN");
  }

  @Test
  void aNegativePositiveCountHasNoNegativeBudget() {
    RandomSampler s = RandomSampler.TYPE.builder(8, 0.5).build();
    assertThatThrownBy(() -> s.numExpectedNeg(-1)).hasMessage("num_pos must be >= 0; got -1");
  }

  @Test
  void ohemLossMustNotBeNull() {
    OHEMSampler s = OHEMSampler.TYPE.builder(4, 0.5).build();
    assertThatThrownBy(() -> s.withLoss(null)).hasMessage("loss must not be null");
  }
}
