package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PseudoSamplerTest {
  @Test
  void takesEveryPositiveAndNegativeInIndexOrder() {
    AssignResult a = Fixtures.assign(2, 0, 2, -1, 1, 0, 0, -1, 2);
    SamplingResult r = PseudoSampler.INSTANCE.sample(a, Fixtures.boxes(8), Fixtures.gts(2));
    assertThat(r.posInds().toArray()).containsExactly(1, 3, 7);
    assertThat(r.negInds().toArray()).containsExactly(0, 4, 5);
    assertThat(r.posIsGt().toArray()).containsExactly(false, false, false);
    assertThat(r.posAssignedGtInds().toArray()).containsExactly(1, 0, 1);
    assertThat(r.posGtLabels().toArray()).containsExactly(12, 11, 12);
    assertThat(r.numBboxes()).isEqualTo(8);
    assertThat(r.posGtBboxesData().toArray()).containsExactly(1001, 1001, 1051, 1051, 1000, 1000, 1050, 1050,
        1001, 1001, 1051, 1051);
  }

  @Test
  void isDeterministicAndIgnoresTheGenerator() {
    AssignResult a = Fixtures.assign(2, Fixtures.gtInds(2, 30, 70, 5));
    INDArray boxes = Fixtures.boxes(105);
    SamplingResult first = PseudoSampler.INSTANCE.sample(a, boxes, Fixtures.gts(2), null, null);
    assertThat(PseudoSampler.INSTANCE.sample(a, boxes, Fixtures.gts(2), Fixtures.labels(2))).isEqualTo(first);
    assertThat(first.posInds().length()).isEqualTo(30);
    assertThat(first.negInds().length()).isEqualTo(70);
  }

  @Test
  void keepsEveryProposalColumnAndTheDtype() {
    double[] d = {0, 0, 4, 4, 0.9, 1, 1, 5, 5, 0.8};
    INDArray proposals = Tensors.create(d, DataType.DOUBLE, 2, 5);
    SamplingResult r = PseudoSampler.INSTANCE.sample(Fixtures.assign(1, 1, 0), proposals, Fixtures.gts(1));
    assertThat(r.posBboxes().shape()).containsExactly(1, 5);
    assertThat(r.posBboxes().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(r.negBboxesData().toArray()).containsExactly(1, 1, 5, 5, 0.8);
    assertThat(r.posGtBboxes().dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void withoutGtsEverythingUnignoredIsNegative() {
    AssignResult a = AssignResult.allNegative(0, 6, false);
    SamplingResult r = PseudoSampler.INSTANCE.sample(a, Fixtures.boxes(6), Fixtures.gts(0));
    assertThat(r.posInds().length()).isZero();
    assertThat(r.negInds().toArray()).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(r.posGtBboxes().shape()).containsExactly(0, 4);
    assertThat(r.posGtLabels()).isNull();
    assertThat(r.posGtLabelsArray()).isNull();
  }
}
