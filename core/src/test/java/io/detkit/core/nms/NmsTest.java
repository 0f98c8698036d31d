package io.detkit.core.nms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class NmsTest {
  // A [0,0,10,10]; B [1,1,11,11] overlaps A with IoU 81/119 = 0.68; C is apart.
  private static final float[] ABC = {0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30};

  private static INDArray f(float[] v, long... shape) {
    return Tensors.create(v, DataType.FLOAT, shape);
  }

  @Test
  void suppressesOverlapsAboveTheThresholdInScoreOrder() {
    assertThat(Nms.nms(ABC, new float[] {0.9f, 0.8f, 0.7f}, 0.5f)).containsExactly(0, 2);
    assertThat(Nms.nms(ABC, new float[] {0.9f, 0.8f, 0.7f}, 0.7f)).containsExactly(0, 1, 2);
    // Order follows the scores, not the input.
    assertThat(Nms.nms(ABC, new float[] {0.1f, 0.8f, 0.95f}, 0.5f)).containsExactly(2, 1);
  }

  @Test
  void iouEqualToTheThresholdDoesNotSuppress() {
    float[] boxes = {0, 0, 10, 10, 0, 0, 10, 5}; // IoU exactly 50/100
    assertThat(Nms.nms(boxes, new float[] {0.9f, 0.8f}, 0.5f)).containsExactly(0, 1);
    assertThat(Nms.nms(boxes, new float[] {0.9f, 0.8f}, 0.49f)).containsExactly(0);
  }

  @Test
  void equalScoresKeepTheLowerIndexFirst() {
    float[] boxes = {0, 0, 10, 10, 50, 50, 60, 60, 0, 0, 10, 10};
    assertThat(Nms.nms(boxes, new float[] {0.5f, 0.5f, 0.5f}, 0.5f)).containsExactly(0, 1);
    assertThat(Nms.nms(boxes, new float[] {0.5f, 0.7f, 0.5f}, 0.5f)).containsExactly(1, 0);
    assertThat(Nms.batchedNms(boxes, new float[] {0.5f, 0.5f, 0.5f}, new int[] {0, 0, 0}, null))
        .containsExactly(0, 1, 2);
  }

  @Test
  void suppressionIsChainedOnlyThroughKeptBoxes() {
    // A-B IoU 0.68 (B suppressed by A); B-C IoU 0.68 but C overlaps A only 64/136 = 0.47: C survives.
    float[] boxes = {0, 0, 10, 10, 1, 1, 11, 11, 2, 2, 12, 12};
    assertThat(Nms.nms(boxes, new float[] {0.9f, 0.8f, 0.7f}, 0.5f)).containsExactly(0, 2);
  }

  @Test
  void emptyBoxesNeverSuppressEachOther() {
    float[] boxes = {5, 5, 5, 5, 5, 5, 5, 5};
    assertThat(Nms.nms(boxes, new float[] {0.9f, 0.8f}, 0.0f)).containsExactly(0, 1);
  }

  @Test
  void classAwareKeepsClassesApartEvenWithNegativeCoordinates() {
    // Class 1 box sits at negative coordinates where MMDetection's coordinate offset would move it onto the
    // class 0 box; classes must still not interact.
    float[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, -11, -11, -1, -1};
    float[] scores = {0.9f, 0.8f, 0.7f};
    assertThat(Nms.batchedNms(boxes, scores, new int[] {0, 1, 1}, NmsConfig.of(0.5))).containsExactly(0, 1, 2);
    assertThat(Nms.batchedNms(boxes, scores, new int[] {0, 1, 1}, NmsConfig.of(0.5).withClassAgnostic(true)))
        .containsExactly(0, 2);
    assertThat(Nms.batchedNms(boxes, scores, new int[] {0, 0, 1}, NmsConfig.of(0.5))).containsExactly(0, 2);
  }

  @Test
  void scoreThresholdMaxNumAndOffset() {
    float[] scores = {0.9f, 0.8f, 0.7f};
    NmsConfig cfg = NmsConfig.fromConfig(Config.of("type", "nms", "iou_threshold", 0.9, "score_threshold", 0.75));
    assertThat(Nms.batchedNms(ABC, scores, new int[3], cfg)).containsExactly(0, 1);
    assertThat(Nms.batchedNms(ABC, scores, new int[3], NmsConfig.of(0.9).withMaxNum(2))).containsExactly(0, 1);
    // offset 1: [0,0,9,9] and [0,0,9,4] have areas 100 and 50 and IoU 0.5.
    float[] legacy = {0, 0, 9, 9, 0, 0, 9, 4};
    assertThat(Nms.batchedNms(legacy, new float[] {0.9f, 0.8f}, new int[2], NmsConfig.of(0.45).withOffset(1)))
        .containsExactly(0);
    assertThat(Nms.batchedNms(legacy, new float[] {0.9f, 0.8f}, new int[2], NmsConfig.of(0.5).withOffset(1)))
        .containsExactly(0, 1);
    // Without the offset the areas are 81 and 36 and the IoU 0.44.
    assertThat(Nms.batchedNms(legacy, new float[] {0.9f, 0.8f}, new int[2], NmsConfig.of(0.45)))
        .containsExactly(0, 1);
  }

  /**
   * The offset a config dict gives reaches every keep path: the full pass, the first-max_num heap
   * and the huge-coordinate pass (a far box with a coordinate beyond the float32 safe bound sends
   * the whole problem there; the small pair needs no scaling and keeps mmcv's exact IoU).
   */
  @Test
  void aConfigsOffsetReachesEveryKeepPath() {
    // offset 1: [0,0,9,9] and [0,0,9,4] have IoU 0.5 > 0.45; without it 0.44.
    float[] boxes = {0, 0, 9, 9, 0, 0, 9, 4, 100, 100, 120, 120};
    float[] huge = {0, 0, 9, 9, 0, 0, 9, 4, 1e30f, 1e30f, 2e30f, 2e30f};
    float[] scores = {0.9f, 0.8f, 0.7f};
    NmsConfig legacy = NmsConfig.fromConfig(Config.of("type", "nms", "iou_threshold", 0.45, "offset", 1));
    assertThat(legacy.offset()).isEqualTo(1);
    assertThat(Nms.batchedNms(boxes, scores, new int[3], legacy)).containsExactly(0, 2);
    assertThat(Nms.batchedNms(boxes, scores, new int[3], legacy.withMaxNum(2))).containsExactly(0, 2);
    assertThat(Nms.batchedNms(huge, scores, new int[3], legacy)).containsExactly(0, 2);
    NmsConfig plain = legacy.withOffset(0);
    assertThat(Nms.batchedNms(boxes, scores, new int[3], plain)).containsExactly(0, 1, 2);
    assertThat(Nms.batchedNms(boxes, scores, new int[3], plain.withMaxNum(2))).containsExactly(0, 1);
    assertThat(Nms.batchedNms(huge, scores, new int[3], plain)).containsExactly(0, 1, 2);
  }

  @Test
  void nmsConfigsChecksNameTheKeyAndItsPath() {
    assertThatThrownBy(() -> NmsConfig.of(0.5).withOffset(2)).isInstanceOf(ParamChecks.BadParameter.class)
        .hasMessage("offset must be 0 or 1; got 2");
    assertThatThrownBy(() -> NmsConfig.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("iou_threshold must be a number; got NaN");
    Config bad = Config.of("model.test_cfg.nms", java.util.Map.of("type", "nms", "iou_threshold", 0.5, "offset", -1));
    assertThatThrownBy(() -> NmsConfig.fromConfig(bad)).isInstanceOf(ConfigException.class)
        .hasMessage("model.test_cfg.nms.offset: offset must be 0 or 1; got -1");
    Config nan = Config.of("model.test_cfg.nms", java.util.Map.of("type", "nms", "iou_threshold", 0.5,
        "score_threshold", Double.NaN));
    assertThatThrownBy(() -> NmsConfig.fromConfig(nan)).isInstanceOf(ConfigException.class)
        .hasMessage("model.test_cfg.nms.score_threshold: score_threshold must be a number; got NaN");
    Config typo = Config.of("model.test_cfg.nms", java.util.Map.of("type", "nms", "iou_threshold", 0.5, "ofset", 1));
    assertThatThrownBy(() -> NmsConfig.fromConfig(typo)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("model.test_cfg.nms.ofset: unknown parameter 'ofset' for nms type 'nms'; accepted: offset, ");
  }

  @Test
  void ndArrayApiReturnsIndicesAndDets() {
    INDArray keep = Nms.nms(f(ABC, 3, 4), f(new float[] {0.7f, 0.8f, 0.9f}, 3), 0.5);
    assertThat(keep.dataType()).isEqualTo(DataType.INT64);
    assertThat(keep.toLongVector()).containsExactly(2, 1);
    NmsResult r = Nms.batchedNms(f(ABC, 3, 4), f(new float[] {0.7f, 0.8f, 0.9f}, 3),
        Tensors.createLong(new long[] {0, 0, 1}, 3), Config.of("type", "nms", "iou_threshold", 0.5));
    assertThat(r.keepIndices()).containsExactly(2, 1);
    assertThat(r.dets().shape()).containsExactly(2, 5);
    assertThat(r.dets().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(r.dets().toFloatMatrix()[0]).containsExactly(20, 20, 30, 30, 0.9f);
    assertThat(r.dets().toFloatMatrix()[1]).containsExactly(1, 1, 11, 11, 0.8f);
    NmsResult none = Nms.batchedNms(f(new float[0], 0, 4), f(new float[0], 0), Tensors.createLong(new long[0], 0),
        NmsConfig.of(0.5));
    assertThat(none.size()).isZero();
    assertThat(none.dets().shape()).containsExactly(0, 5);
  }

  @Test
  void float64InputsStayFloat64() {
    INDArray boxes = Tensors.create(new double[] {0, 0, 10, 10, 1, 1, 11, 11}, DataType.DOUBLE, 2, 4);
    INDArray scores = Tensors.create(new double[] {0.9, 0.8}, DataType.DOUBLE, 2);
    NmsResult r = Nms.batchedNms(boxes, scores, Tensors.createLong(new long[] {0, 1}, 2), NmsConfig.of(0.5));
    assertThat(r.keepIndices()).containsExactly(0, 1);
    assertThat(r.dets().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(r.dets().getDouble(1, 4)).isEqualTo(0.8);
  }

  @Test
  void rejectsBadInputsAndConfigs() {
    assertThatThrownBy(() -> Nms.nms(f(ABC, 3, 4), f(new float[] {1, 2}, 2), 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scores must be [N] with N=3");
    assertThatThrownBy(() -> Nms.nms(new float[] {0, 0, Float.NaN, 1}, new float[] {1}, 0.5f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boxes row 0 must be finite");
    assertThatThrownBy(() -> Nms.nms(new float[] {0, 0, 1, 1}, new float[] {Float.NaN}, 0.5f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scores must be finite; element 0 is NaN");
    assertThatThrownBy(() -> NmsConfig.fromConfig(Config.of("type", "soft_nms", "iou_threshold", 0.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("soft_nms");
    assertThatThrownBy(() -> NmsConfig.fromConfig(Config.of("type", "nms", "iou_thr", 0.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("iou_threshold");
    assertThatThrownBy(() -> NmsConfig.fromConfig(Config.of("type", "nms", "iou_threshold", 0.5, "ofset", 1)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ofset");
    assertThatThrownBy(() -> NmsConfig.fromConfig(Config.of("type", "nms", "iou_threshold", 0.5, "offset", 2)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("offset");
    NmsConfig ok = NmsConfig.fromConfig(Config.of("type", "nms", "iou_threshold", 0.6, "class_agnostic", true,
        "split_thr", 100, "max_num", 5));
    assertThat(ok.iouThreshold()).isEqualTo(0.6);
    assertThat(ok.classAgnostic()).isTrue();
    assertThat(ok.maxNum()).isEqualTo(5);
  }
}
