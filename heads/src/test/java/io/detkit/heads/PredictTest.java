package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * get_bboxes on {@link Tiny}'s anchors with zero deltas, so the boxes are the anchors clipped to the
 * 32x32 image: anchor 0 -> (0,0,8,8), 1 -> (8,0,24,8), 2 -> (0,8,8,24), 3 -> (8,8,24,24). With logits
 * (2, 0, -5, 1) the scores are sigmoid: 0.8808, 0.5, 0.0067, 0.7311.
 */
class PredictTest {
  private static final double S0 = sigmoid(2);
  private static final double S1 = sigmoid(0);
  private static final double S3 = sigmoid(1);
  private static final double TOL = 1e-6;

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static INDArray map(double... perLocation) {
    return Tensors.create(perLocation, DataType.FLOAT, 1, perLocation.length / 4, 2, 2);
  }

  private static HeadOutputs outputs(double... logits) {
    return HeadOutputs.of(List.of(map(logits)), List.of(Tiny.filled(1, 4, 0.0)));
  }

  private static TestConfig cfg(int nmsPre, int maxPerImg) {
    return TestConfig.of(nmsPre, 0.05, 0.5, maxPerImg);
  }

  private static Detections predict(AnchorHead head, HeadOutputs outs, TestConfig cfg, ImageMeta meta,
      boolean rescale, boolean nms) {
    return head.predict(outs, List.of(meta), cfg, rescale, nms).get(0);
  }

  @Test
  void scoresAboveTheThresholdAreDecodedClippedAndSorted() {
    Detections d = predict(Tiny.head(-1, 0, -1), outputs(2, 0, -5, 1), cfg(1000, 100), Tiny.meta(32, 32), false,
        true);
    assertThat(d.scoreData().toArray()).containsExactly(new double[] {S0, S3, S1}, within(TOL));
    assertThat(d.boxData().toArray()).containsExactly(0, 0, 8, 8, 8, 8, 24, 24, 8, 0, 24, 8);
    assertThat(d.labelData().toArray()).containsExactly(0, 0, 0);
    assertThat(d.detBboxes().shape()).containsExactly(3, 5);
    assertThat(Tensors.toDoubles(d.detBboxes())[4]).isCloseTo(S0, within(TOL));
  }

  @Test
  void nmsPreIsAPythonSliceSoMinusOneDropsTheLowest() {
    AnchorHead head = Tiny.head(-1, 0, -1);
    assertThat(predict(head, outputs(2, 0, -5, 1), cfg(-1, 100), Tiny.meta(32, 32), false, true).scoreData().toArray())
        .containsExactly(new double[] {S0, S3}, within(TOL));
    assertThat(predict(head, outputs(2, 0, -5, 1), cfg(1, 100), Tiny.meta(32, 32), false, true).scoreData().toArray())
        .containsExactly(new double[] {S0}, within(TOL));
    assertThat(predict(head, outputs(2, 0, -5, 1), cfg(1000, 2), Tiny.meta(32, 32), false, true).size())
        .isEqualTo(2);
  }

  @Test
  void rescaleDividesByTheScaleFactor() {
    ImageMeta half = ImageMeta.of(new int[] {32, 32, 3}, new int[] {32, 32, 3}, new int[] {64, 64, 3}, 0.5);
    Detections d = predict(Tiny.head(-1, 0, -1), outputs(2, 0, -5, 1), cfg(1000, 100), half, true, true);
    assertThat(d.boxData().toArray()).containsExactly(0, 0, 16, 16, 16, 16, 48, 48, 16, 0, 48, 16);
  }

  @Test
  void withoutNmsEveryCandidateComesBackInRankedLevelOrder() {
    Detections d = predict(Tiny.head(-1, 0, -1), outputs(2, 0, -5, 1), cfg(1000, 1), Tiny.meta(32, 32), false,
        false);
    assertThat(d.scoreData().toArray()).containsExactly(new double[] {S0, S3, S1}, within(TOL));
  }

  @Test
  void nmsIsPerClassUnlessClassAgnostic() {
    AnchorHead two = Heads.build(Tiny.headConfig("AnchorHead", -1, 0, -1).with("num_classes", 2), AnchorHead.class);
    // Channels per location: class 0 then class 1; class 1 only scores at anchor 0 (sigmoid(1.5)).
    HeadOutputs outs = HeadOutputs.of(List.of(map(2, 0, -5, 1, 1.5, -9, -9, -9)), List.of(Tiny.filled(1, 4, 0)));
    Detections aware = predict(two, outs, cfg(1000, 100), Tiny.meta(32, 32), false, true);
    assertThat(aware.scoreData().toArray()).containsExactly(new double[] {S0, sigmoid(1.5), S3, S1}, within(TOL));
    assertThat(aware.labelData().toArray()).containsExactly(0, 1, 0, 0);
    TestConfig agnostic = TestConfig.of(1000, 0, 0.05, NmsConfig.of(0.5).withClassAgnostic(true), 100);
    Detections merged = predict(two, outs, agnostic, Tiny.meta(32, 32), false, true);
    assertThat(merged.labelData().toArray()).containsExactly(0, 0, 0);
  }

  @Test
  void softmaxScoresDropTheBackgroundColumn() {
    AnchorHead softmax = Heads.build(Tiny.headConfig("AnchorHead", -1, 0, -1)
        .with("loss_cls", Config.of("type", "CrossEntropyLoss", "use_sigmoid", false)), AnchorHead.class);
    // Two channels per anchor (foreground, background): softmax(1, 0)[0] = e / (e + 1).
    HeadOutputs outs = HeadOutputs.of(List.of(map(1, 1, 1, 1, 0, 0, 0, 0)), List.of(Tiny.filled(1, 4, 0)));
    Detections d = predict(softmax, outs, cfg(1000, 100), Tiny.meta(32, 32), false, true);
    double s = Math.E / (Math.E + 1);
    assertThat(d.scoreData().toArray()).containsExactly(new double[] {s, s, s, s}, within(TOL));
  }

  @Test
  void atssMultipliesScoresByTheCenterness() {
    Config c = Tiny.headConfig("ATSSHead", -1, 0, -1)
        .with("train_cfg", Config.of("assigner", Config.of("type", "ATSSAssigner", "topk", 9)));
    AnchorHead atss = Heads.build(c, AnchorHead.class);
    HeadOutputs outs = outputs(2, 0, -5, 1).with(HeadOutputs.CENTERNESSES, List.of(Tiny.filled(1, 1, 0.0)));
    Detections d = predict(atss, outs, cfg(1000, 100), Tiny.meta(32, 32), false, true);
    assertThat(d.scoreData().toArray()).containsExactly(new double[] {S0 / 2, S3 / 2, S1 / 2}, within(TOL));
  }

  @Test
  void rpnKeepsTheTopPerLevelAndDropsSmallProposals() {
    Config c = Tiny.headConfig("RPNHead", 0, 0.3, -1).without("num_classes");
    AnchorHead rpn = Heads.build(c, AnchorHead.class);
    TestConfig top2 = TestConfig.of(2, 0, null, NmsConfig.of(0.7), 1000);
    Detections d = predict(rpn, outputs(2, 0, -5, 1), top2, Tiny.meta(32, 32), true, true);
    assertThat(d.scoreData().toArray()).containsExactly(new double[] {S0, S3}, within(TOL));
    assertThat(d.labelData().toArray()).containsExactly(0, 0);
    // Anchor 0 clips to (0,0,8,8): not wider than 8.
    Detections big = predict(rpn, outputs(2, 0, -5, 1), TestConfig.of(2, 8, null, NmsConfig.of(0.7), 1000), Tiny.meta(32, 32), false, true);
    assertThat(big.boxData().toArray()).containsExactly(8, 8, 24, 24);
    // nms_pre <= 0 keeps every anchor of the level; there is no score threshold.
    Detections all = predict(rpn, outputs(2, 0, -5, 1), TestConfig.of(-1, 0, null, NmsConfig.of(0.7), 1000),
        Tiny.meta(32, 32), false, true);
    assertThat(all.size()).isEqualTo(4);
    assertThat(all.scoreData().toArray()[3]).isCloseTo(sigmoid(-5), within(TOL));
  }

  @Test
  void float64OutputsGiveFloat64Detections() {
    HeadOutputs outs = HeadOutputs.of(List.of(map(2, 0, -5, 1).castTo(DataType.DOUBLE)),
        List.of(Tiny.filled(1, 4, 0).castTo(DataType.DOUBLE)));
    Detections d = predict(Tiny.head(-1, 0, -1), outs, cfg(1000, 100), Tiny.meta(32, 32), false, true);
    assertThat(d.bboxes().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(d.scoreData().toArray()[0]).isCloseTo(S0, within(1e-15));
  }
}
