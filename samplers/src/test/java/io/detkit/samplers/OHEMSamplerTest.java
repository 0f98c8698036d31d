package io.detkit.samplers;

import io.detkit.core.tensor.Tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OHEMSamplerTest {
  private static final int[] G = Fixtures.gtInds(2, 10, 50, 4);

  private static SamplingResult sample(OHEMSampler s, AssignResult a) {
    return s.sample(a, Fixtures.boxes(a.size()), Fixtures.gts(2), Fixtures.labels(2), new SplittableRandom(0));
  }

  /** A loss that grows with the box's x1, i.e. with the prior index (gts have x1 >= 1000). */
  private static double[] byX1(int[] inds, int[] labels, org.nd4j.linalg.api.ndarray.INDArray boxes) {
    double[] flat = Tensors.toDoubles(boxes);
    double[] out = new double[inds.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = flat[i * 4];
    }
    return out;
  }

  @Test
  void keepsTheHardestCandidates() {
    OHEMSampler s = OHEMSampler.TYPE.builder(20, 0.25).options(o -> o.withAddGtAsProposals(false))
        .build().withLoss(OHEMSamplerTest::byX1);
    SamplingResult r = sample(s, Fixtures.assign(2, G));
    assertThat(r.posInds().toArray()).containsExactly(5, 6, 7, 8, 9);
    assertThat(r.negInds().toArray()).containsExactly(45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59);
  }

  @Test
  void passesAssignedLabelsForPositivesAndBackgroundForNegatives() {
    List<int[]> seen = new ArrayList<>();
    HardExampleLoss recording = (inds, labels, boxes) -> {
      seen.add(inds.clone());
      seen.add(labels.clone());
      assertThat(boxes.shape()).containsExactly(inds.length, 4);
      return new double[inds.length];
    };
    OHEMSampler s = OHEMSampler.TYPE.builder(20, 0.25).build().withLoss(recording);
    SamplingResult r = sample(s, Fixtures.assign(2, G));
    // With the 2 gts prepended: positives are rows 0..11, negatives rows 12..61.
    assertThat(seen.get(0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(seen.get(1)).containsExactly(20, 21, 11, 12, 11, 12, 11, 12, 11, 12, 11, 12);
    assertThat(seen.get(2)).hasSize(50).startsWith(12, 13);
    assertThat(seen.get(3)).containsOnly(HardExampleLoss.BACKGROUND);
    // All losses tie: the lowest rows win.
    assertThat(r.posInds().toArray()).containsExactly(0, 1, 2, 3, 4);
    assertThat(r.posIsGt().toArray()).containsExactly(true, true, false, false, false);
    assertThat(r.negInds().toArray()).containsExactly(12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26);
  }

  @Test
  void needsALossOnlyWhenItHasToChoose() {
    OHEMSampler fromConfig = (OHEMSampler) Samplers.build(Config.of("type", "OHEMSampler", "num", 512,
        "pos_fraction", 0.25));
    assertThat(fromConfig.loss()).isNull();
    SamplingResult all = sample(fromConfig, Fixtures.assign(2, G));
    assertThat(all.posInds().length()).isEqualTo(12);
    assertThat(all.negInds().length()).isEqualTo(50);
    OHEMSampler tight = OHEMSampler.TYPE.builder(8, 0.5).options(o -> o.withAddGtAsProposals(false)).build();
    assertThatThrownBy(() -> sample(tight, Fixtures.assign(2, G)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("withLoss");
    OHEMSampler attached = tight.withLoss(OHEMSamplerTest::byX1);
    assertThat(sample(attached, Fixtures.assign(2, G)).posInds().toArray()).containsExactly(6, 7, 8, 9);
    assertThat(attached.params().num()).isEqualTo(8);
    assertThat(attached.params().addGtAsProposals()).isFalse();
  }

  @Test
  void rejectsBadLossValues() {
    OHEMSampler shortLoss = OHEMSampler.TYPE.builder(8, 0.5).options(o -> o.withAddGtAsProposals(false))
        .build().withLoss((inds, labels, boxes) -> new double[1]);
    assertThatThrownBy(() -> sample(shortLoss, Fixtures.assign(2, G)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one value per candidate (10)");
    OHEMSampler nan = OHEMSampler.TYPE.builder(8, 0.5).options(o -> o.withAddGtAsProposals(false))
        .build().withLoss((inds, labels, boxes) -> {
          double[] v = new double[inds.length];
          v[2] = Double.NaN;
          return v;
        });
    assertThatThrownBy(() -> sample(nan, Fixtures.assign(2, G)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite")
        .hasMessageContaining("candidate 2");
  }

  @Test
  void miningPositivesNeedsAssignerLabels() {
    AssignResult unlabeled = new AssignResult(2, G, new double[G.length], null);
    OHEMSampler s = OHEMSampler.TYPE.builder(8, 0.5).options(o -> o.withAddGtAsProposals(false))
        .build().withLoss(OHEMSamplerTest::byX1);
    assertThatThrownBy(() -> sample(s, unlabeled))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
  }

  @Test
  void topKBreaksTiesTowardsLowerPositions() {
    assertThat(OHEMSampler.topK(new int[] {10, 11, 12, 13, 14}, new double[] {1, 3, 3, 2, 3}, 2))
        .containsExactly(11, 12);
    assertThat(OHEMSampler.topK(new int[] {10, 11, 12, 13, 14}, new double[] {1, 3, 3, 2, 3}, 4))
        .containsExactly(11, 12, 13, 14);
    assertThat(OHEMSampler.topK(new int[] {10, 11}, new double[] {1, 3}, 0)).isEmpty();
  }
}
