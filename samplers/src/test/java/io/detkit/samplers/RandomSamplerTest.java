package io.detkit.samplers;

import static io.detkit.samplers.Fixtures.assign;
import static io.detkit.samplers.Fixtures.boxes;
import static io.detkit.samplers.Fixtures.gtInds;
import static io.detkit.samplers.Fixtures.gts;
import static io.detkit.samplers.Fixtures.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.ComponentType;
import io.detkit.core.tensor.Tensors;
import io.detkit.core.testing.BadCall;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class RandomSamplerTest {
  private static SamplingResult sample(BaseSampler s, int numGts, int[] g, long seed) {
    return s.sample(assign(numGts, g), boxes(g.length), gts(numGts), labels(numGts), new SplittableRandom(seed));
  }

  private static ComponentType.Builder<SamplerParams, Void, RandomSampler> noGt(int num, double posFraction) {
    return RandomSampler.TYPE.builder(num, posFraction).options(o -> o.withAddGtAsProposals(false));
  }

  @Test
  void negPosUbThreeWithTwoPositivesGivesSixNegatives() {
    RandomSampler s = noGt(256, 0.5).options(o -> o.withNegPosUb(3)).build();
    SamplingResult r = sample(s, 2, gtInds(2, 2, 100, 5), 1);
    assertThat(r.posInds().length()).isEqualTo(2);
    assertThat(r.negInds().length()).isEqualTo(6);
  }

  @Test
  void withoutPositivesTheCapCountsOnePositive() {
    SamplingResult r = sample(noGt(256, 0.5).options(o -> o.withNegPosUb(3)).build(), 0, gtInds(0, 0, 100, 0), 1);
    assertThat(r.posInds().length()).isZero();
    assertThat(r.negInds().length()).isEqualTo(3);
    SamplingResult zero = sample(noGt(256, 0.5).options(o -> o.withNegPosUb(0)).build(), 0, gtInds(0, 0, 100, 0), 1);
    assertThat(zero.negInds().length()).isZero();
  }

  @Test
  void fractionalCapIsTruncated() {
    SamplingResult r = sample(noGt(256, 0.5).options(o -> o.withNegPosUb(2.5)).build(), 3, gtInds(3, 3, 100, 0), 1);
    assertThat(r.negInds().length()).isEqualTo(7); // int(2.5 * 3)
  }

  @Test
  void countsHitTheBudgetsExactly() {
    RandomSampler s = noGt(256, 0.5).build();
    for (long seed = 0; seed < 20; seed++) {
      SamplingResult r = sample(s, 3, gtInds(3, 300, 500, 20), seed);
      assertThat(r.posInds().length()).isEqualTo(128);
      assertThat(r.negInds().length()).isEqualTo(128);
    }
    SamplingResult few = sample(s, 3, gtInds(3, 40, 500, 20), 0);
    assertThat(few.posInds().length()).isEqualTo(40);
    assertThat(few.negInds().length()).isEqualTo(216);
    SamplingResult truncated = sample(noGt(7, 0.5).build(), 1, gtInds(1, 10, 10, 0), 0);
    assertThat(truncated.posInds().length()).isEqualTo(3); // int(3.5)
    assertThat(truncated.negInds().length()).isEqualTo(4);
  }

  @Test
  void fewerCandidatesThanBudgetTakesThemAll() {
    int[] g = gtInds(2, 5, 7, 3);
    SamplingResult r = sample(noGt(256, 0.25).build(), 2, g, 0);
    assertThat(r.posInds().toArray()).containsExactly(0, 1, 2, 3, 4);
    assertThat(r.negInds().toArray()).containsExactly(5, 6, 7, 8, 9, 10, 11);
  }

  @Test
  void sampledIndicesAreSortedCandidatesAndNeverIgnored() {
    int[] g = gtInds(4, 80, 200, 50);
    SamplingResult r = sample(noGt(64, 0.25).build(), 4, g, 9);
    assertThat(r.posInds().toArray()).isSorted().doesNotHaveDuplicates();
    assertThat(IntStream.of(r.posInds().toArray())).allMatch(i -> g[i] > 0);
    assertThat(r.negInds().toArray()).isSorted().doesNotHaveDuplicates();
    assertThat(IntStream.of(r.negInds().toArray())).allMatch(i -> g[i] == 0);
  }

  @Test
  void gtsAddedAsProposalsComeFirstAndAreFlagged() {
    int[] g = {0, 2, 0, 1, -1, 0};
    RandomSampler s = RandomSampler.TYPE.builder(100, 0.5).build();
    SamplingResult r = s.sample(assign(2, g), boxes(6), gts(2), labels(2), new SplittableRandom(0));
    assertThat(r.numBboxes()).isEqualTo(8);
    assertThat(r.numGts()).isEqualTo(2);
    assertThat(r.posInds().toArray()).containsExactly(0, 1, 3, 5);
    assertThat(r.posIsGt().toArray()).containsExactly(true, true, false, false);
    assertThat(r.posAssignedGtInds().toArray()).containsExactly(0, 1, 1, 0);
    assertThat(r.posGtLabels().toArray()).containsExactly(20, 21, 12, 11);
    assertThat(r.negInds().toArray()).containsExactly(2, 4, 7);
    assertThat(r.posBboxesData().toArray()).startsWith(1000, 1000, 1050, 1050, 1001, 1001, 1051, 1051, 1, 1, 11, 11);
    assertThat(r.negBboxesData().toArray()).containsExactly(0, 0, 10, 10, 2, 2, 12, 12, 5, 5, 15, 15);
    assertThat(r.posGtBboxesData().toArray()).startsWith(1000, 1000, 1050, 1050, 1001, 1001, 1051, 1051);
  }

  @Test
  void addingGtsNeedsTheirLabels() {
    RandomSampler s = RandomSampler.TYPE.builder(16, 0.5).build();
    int[] g = gtInds(2, 4, 4, 0);
    assertThatThrownBy(() -> s.sample(assign(2, g), boxes(8), gts(2), null, new SplittableRandom(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels")
        .hasMessageContaining("add_gt_as_proposals");
    // Without gts there is nothing to add, as in MMDetection (len(gt_bboxes) > 0 check).
    SamplingResult r = s.sample(assign(0, gtInds(0, 0, 8, 0)), boxes(8), gts(0), null, new SplittableRandom(0));
    assertThat(r.numBboxes()).isEqualTo(8);
    assertThat(r.posGtBboxes().shape()).containsExactly(0, 4);
  }

  @Test
  void extraProposalColumnsAreDroppedAndDtypeKept() {
    int[] g = gtInds(1, 2, 3, 0);
    double[] d = new double[5 * 5];
    for (int i = 0; i < 5; i++) {
      d[i * 5] = i;
      d[i * 5 + 1] = i;
      d[i * 5 + 2] = i + 1;
      d[i * 5 + 3] = i + 1;
      d[i * 5 + 4] = 0.9;
    }
    INDArray proposals = Tensors.create(d, DataType.DOUBLE, 5, 5);
    SamplingResult r = noGt(8, 0.5).build().sample(assign(1, g), proposals, gts(1), null, new SplittableRandom(0));
    assertThat(r.posBboxes().shape()).containsExactly(2, 4);
    assertThat(r.posBboxes().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(r.negBboxesData().toArray()).containsExactly(2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5);
  }

  static Stream<BadCall> invalidParameters() {
    return Stream.of(
        BadCall.of("num=0", () -> RandomSampler.TYPE.builder(0, 0.5).build(), "num must be > 0", "got 0"),
        BadCall.of("pos_fraction=1.5", () -> RandomSampler.TYPE.builder(10, 1.5)
            .build(), "pos_fraction must be in [0, 1]", "1.5"),
        BadCall.of("pos_fraction=NaN", () -> RandomSampler.TYPE.builder(10, Double.NaN).build(), "pos_fraction"),
        BadCall.of("neg_pos_ub=-2", () -> noGt(10, 0.5).options(o -> o.withNegPosUb(-2))
            .build(), "neg_pos_ub must be >= -1", "-2"));
  }

  static Stream<BadCall> inconsistentInputs() {
    RandomSampler s = noGt(16, 0.5).build();
    AssignResult a = assign(2, gtInds(2, 3, 5, 0));
    SplittableRandom rng = new SplittableRandom(0);
    // A positive pointing past the gt rows (num_gts says 3, only 2 boxes given).
    AssignResult beyond = assign(3, 3, 0, 1);
    return Stream.of(
        BadCall.of("7 boxes for 8 assigned rows", () -> s.sample(a, boxes(7), gts(2), null, rng),
            "assign_result", "(7 rows)", "got 8"),
        BadCall.of("gt_bboxes [2,5]",
            () -> s.sample(a, boxes(8), Tensors.create(new double[10], DataType.FLOAT, 2, 5), null, rng),
            "gt_bboxes must be [N,4]", "[2,5]"),
        BadCall.of("bboxes [8,3]",
            () -> s.sample(a, Tensors.create(new double[24], DataType.FLOAT, 8, 3), gts(2), null, rng),
            "bboxes must be [N,4]", "[8,3]"),
        BadCall.of("3 labels for 2 gts", () -> s.sample(a, boxes(8), gts(2), labels(3), rng),
            "gt_labels must be [K] with K=2", "[3]"),
        BadCall.of("null rng", () -> s.sample(a, boxes(8), gts(2), null, null), "rng"),
        BadCall.of("null assign_result", () -> s.sample(null, boxes(8), gts(2), null, rng), "assign_result"),
        BadCall.of("null bboxes", () -> s.sample(a, null, gts(2), null, rng), "bboxes must not be null"),
        BadCall.of("gt index past the gts", () -> s.sample(beyond, boxes(3), gts(2), null, rng),
            "positive row 0", "gt_inds=3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"invalidParameters", "inconsistentInputs"})
  void rejectsBadParametersAndInputsNamingThem(BadCall c) {
    c.assertRejected();
  }

  @Test
  void addingGtsNeedsMatchingNumGts() {
    AssignResult a = new AssignResult(3, new int[] {1, 0}, new double[] {0.9, 0.1}, new int[] {5, -1});
    assertThatThrownBy(() -> RandomSampler.TYPE.builder(8, 0.5)
        .build().sample(a, boxes(2), gts(2), labels(2), new SplittableRandom(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_gts")
        .hasMessageContaining("(2)").hasMessageContaining("got 3");
  }

  @Test
  void builderAndFactoryDescribeTheSameSampler() {
    RandomSampler a = RandomSampler.TYPE.builder(256, 0.5).build();
    RandomSampler b = RandomSampler.TYPE.builder(256, 0.5)
        .options(o -> o.withNegPosUb(-1).withAddGtAsProposals(true).withSeed(Samplers.DEFAULT_SEED)).build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(RandomSampler.TYPE.builder(256, 0.5).options(o -> o.withSeed(1)).build());
    assertThat(a.toString())
        .isEqualTo("RandomSampler(num=256, pos_fraction=0.5, neg_pos_ub=-1, add_gt_as_proposals=True, seed=0)");
    assertThat(a.numExpectedPos()).isEqualTo(128);
    assertThat(a.numExpectedNeg(100)).isEqualTo(156);
  }
}
