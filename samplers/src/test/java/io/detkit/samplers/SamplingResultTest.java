package io.detkit.samplers;

import io.detkit.core.tensor.Tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SamplingResultTest {
  private static SamplingResult example() {
    // gts prepended: rows 0-1 are gts, rows 2.. the priors {0, 2, 0, 1, -1}.
    return RandomSampler.TYPE.builder(100, 0.5)
        .build().sample(Fixtures.assign(2, 0, 2, 0, 1, -1), Fixtures.boxes(5), Fixtures.gts(2),
        Fixtures.labels(2), new SplittableRandom(0));
  }

  @Test
  void arrayViewsHaveMmdetectionShapesAndDtypes() {
    SamplingResult r = example();
    assertThat(r.posIndsArray().dataType()).isEqualTo(DataType.INT64);
    assertThat(r.posIndsArray().toLongVector()).containsExactly(0, 1, 3, 5);
    assertThat(r.negIndsArray().toLongVector()).containsExactly(2, 4);
    assertThat(r.posBboxes().shape()).containsExactly(4, 4);
    assertThat(r.posBboxes().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(r.negBboxes().shape()).containsExactly(2, 4);
    assertThat(r.posIsGtArray().dataType()).isEqualTo(DataType.UINT8);
    assertThat(Tensors.toInts(r.posIsGtArray())).containsExactly(1, 1, 0, 0);
    assertThat(r.posAssignedGtIndsArray().toLongVector()).containsExactly(0, 1, 1, 0);
    assertThat(r.posGtBboxes().shape()).containsExactly(4, 4);
    assertThat(r.posGtLabelsArray().toLongVector()).containsExactly(20, 21, 12, 11);
    INDArray all = r.bboxes();
    assertThat(all.shape()).containsExactly(6, 4);
    assertThat(Tensors.toDoubles(all)).startsWith(r.posBboxesData().toArray()).endsWith(r.negBboxesData().toArray());
    assertThat(r.posInds().length()).isEqualTo(4);
    assertThat(r.negInds().length()).isEqualTo(2);
    assertThat(r.hasLabels()).isTrue();
  }

  @Test
  void whatACallerGetsCannotChangeTheResult() {
    SamplingResult r = example();
    r.posInds().toArray()[0] = 99;
    r.posGtLabels().toArray()[0] = 99;
    r.posBboxesData().toArray()[0] = 99;
    r.posBboxes().addi(5);
    r.posIsGt().toArray()[0] = false;
    assertThat(r.posInds().get(0)).isZero();
    assertThat(r.posIsGt().get(0)).isTrue();
    assertThat(r.posGtLabels().get(0)).isEqualTo(20);
    assertThat(r.posBboxesData().get(0)).isEqualTo(1000);
    assertThat(r).isEqualTo(example()).hasSameHashCodeAs(example());
  }

  @Test
  void float64BoxesStayFloat64() {
    SamplingResult r = PseudoSampler.INSTANCE.sample(Fixtures.assign(1, 1, 0, 1),
        Fixtures.boxes(3, DataType.DOUBLE), Fixtures.gts(1));
    assertThat(r.posBboxes().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(r.bboxes().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(r.boxDataType()).isEqualTo(DataType.DOUBLE);
  }

  @Test
  void infoAndToStringSummariseLikeMmdetection() {
    SamplingResult r = example();
    assertThat(r.info()).containsOnlyKeys("pos_inds", "neg_inds", "pos_bboxes", "neg_bboxes", "pos_is_gt",
        "num_gts", "pos_assigned_gt_inds");
    assertThat((long[]) r.info().get("pos_bboxes")).containsExactly(4, 4);
    assertThat(r.info().get("num_gts")).isEqualTo(2);
    String s = r.toString();
    assertThat(s).startsWith("<SamplingResult({").endsWith("})>")
        .contains("'neg_bboxes': [2, 4]", "'num_gts': 2", "'pos_inds': [0, 1, 3, 5]", "'pos_is_gt': [1, 1, 0, 0]");
    assertThat(s.indexOf("'neg_bboxes'")).isLessThan(s.indexOf("'pos_assigned_gt_inds'"));
    SamplingResult big = PseudoSampler.INSTANCE.sample(Fixtures.assign(0, new int[100]), Fixtures.boxes(100),
        Fixtures.gts(0));
    assertThat(big.toString()).contains("'neg_inds': [0, 1, 2, 3, 4, 5, 6, 7, ... (100 in all), 92, 93");
  }

  @Test
  void ofMirrorsMmdetectionsConstructor() {
    AssignResult a = Fixtures.assign(2, 0, 2, 0, 1, -1);
    SamplingResult r = SamplingResult.of(new int[] {3, 1, 3}, new int[] {2, 0}, Fixtures.boxes(5), Fixtures.gts(2),
        a, null);
    assertThat(r.posInds().toArray()).containsExactly(1, 3);
    assertThat(r.negInds().toArray()).containsExactly(0, 2);
    assertThat(r.posAssignedGtInds().toArray()).containsExactly(1, 0);
    assertThat(r.posIsGt().toArray()).containsExactly(false, false);
    assertThatThrownBy(() -> SamplingResult.of(new int[] {5}, new int[0], Fixtures.boxes(5), Fixtures.gts(2), a, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pos_inds[0] must be in [0, 5)");
    assertThatThrownBy(() -> SamplingResult.of(new int[] {0}, new int[0], Fixtures.boxes(5), Fixtures.gts(2), a, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive row 0")
        .hasMessageContaining("gt_inds=0");
    assertThatThrownBy(() -> SamplingResult.of(new int[0], new int[0], Fixtures.boxes(4), Fixtures.gts(2), a, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("assign_result");
    assertThatThrownBy(() -> SamplingResult.of(new int[0], new int[0], Fixtures.boxes(5), Fixtures.gts(2), a,
        new boolean[2])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_flags");
  }
}
