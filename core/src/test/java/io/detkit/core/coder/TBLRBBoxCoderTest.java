package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TBLRBBoxCoderTest {
  private static final double[] PRIOR = {0, 0, 10, 20};
  private static final double[] GT = {2, 4, 8, 16};

  @Test
  void encodesDistancesFromThePriorCentreOverItsSidesAndNormalizer() {
    // Centre (5, 10): top 6, bottom 6 over h = 20; left 3, right 3 over w = 10.
    assertThat(new TBLRBBoxCoder(1.0, true).encode(PRIOR, GT)).containsExactly(0.3, 0.3, 0.3, 0.3);
    assertThat(new TBLRBBoxCoder().encode(PRIOR, GT)).containsExactly(0.075, 0.075, 0.075, 0.075);
    double[] perSide = new TBLRBBoxCoder(new double[] {1, 2, 0.5, 4}, true).encode(PRIOR, GT);
    assertThat(perSide[0]).isCloseTo(0.3, within(1e-15));
    assertThat(perSide[1]).isCloseTo(0.15, within(1e-15));
    assertThat(perSide[2]).isCloseTo(0.6, within(1e-15));
    assertThat(perSide[3]).isCloseTo(0.075, within(1e-15));
  }

  @Test
  void decodeInvertsEncodeWithoutClipping() {
    Random r = new Random(1);
    TBLRBBoxCoder coder = new TBLRBBoxCoder(new double[] {1, 2, 0.5, 4}, false);
    double[] priors = GradientCheck.randomBoxes(r, 20, 80);
    double[] gts = GradientCheck.randomBoxes(r, 20, 80);
    double[] back = coder.decode(priors, coder.encode(priors, gts), new int[] {1, 1});
    for (int i = 0; i < gts.length; i++) {
      assertThat(back[i]).isCloseTo(gts[i], within(1e-9));
    }
  }

  @Test
  void decodeClipsToTheImageOnlyWhenAskedTo() {
    TBLRBBoxCoder coder = new TBLRBBoxCoder(1.0, true);
    // Prior centre (5, 10), w 10, h 20: distances (top 1, bottom 1, left 1, right 1) reach (-5, -10, 15, 30).
    double[] pred = {1, 1, 1, 1};
    assertThat(coder.decode(PRIOR, pred, null)).containsExactly(-5, -10, 15, 30);
    assertThat(coder.decode(PRIOR, pred, new int[] {25, 12})).containsExactly(0, 0, 12, 25);
    assertThat(coder.decodeVjp(PRIOR, pred, new int[] {25, 12}, new double[] {1, 1, 1, 1}))
        .containsExactly(0, 0, 0, 0);
    assertThat(coder.decodeVjp(PRIOR, pred, null, new double[] {1, 2, 3, 4}))
        .containsExactly(-2 * 20, 4 * 20, -1 * 10, 3 * 10);
  }

  @Test
  void decodeVjpMatchesFiniteDifferences() {
    Random r = new Random(9);
    for (TBLRBBoxCoder coder : new TBLRBBoxCoder[] {new TBLRBBoxCoder(), new TBLRBBoxCoder(new double[] {1, 2, 0.5, 4},
        true)}) {
      for (int[] maxShape : new int[][] {null, {50, 60}}) {
        double[] priors = GradientCheck.randomBoxes(r, 15, 45);
        double[] pred = GradientCheck.uniform(r, 60, -0.5, 1.5);
        double[] upstream = GradientCheck.uniform(r, 60, -1, 1);
        double[] analytic = coder.decodeVjp(priors, pred, maxShape, upstream);
        int checked = GradientCheck.check(coder, priors, pred, maxShape, upstream, analytic, coder::decode);
        assertThat(checked).isGreaterThan(54);
      }
    }
  }

  @Test
  void invalidNormalizersAreRejected() {
    assertThatThrownBy(() -> new TBLRBBoxCoder(0.0, true)).hasMessageContaining("normalizer must be finite and non-zero");
    assertThatThrownBy(() -> new TBLRBBoxCoder(new double[] {1, 2, 3}, true))
        .hasMessageContaining("normalizer must have length 4");
    assertThatThrownBy(() -> new TBLRBBoxCoder().decode(PRIOR, new double[] {1, 1, 1, 1, 1, 1, 1, 1}, null))
        .hasMessageContaining("pred_bboxes must hold 4 values per prior");
  }
}
