package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Wrong level counts, shapes, dtypes and batch sizes are rejected with messages naming both shapes. */
class HeadOutputValidationTest {
  private static final Config RETINA = Config.of("type", "RetinaHead", "num_classes", 4,
      "anchor_generator", Config.of("type", "AnchorGenerator", "octave_base_scale", 4, "scales_per_octave", 3,
          "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(8, 16, 32)),
      "loss_cls", Config.of("type", "FocalLoss", "use_sigmoid", true),
      "loss_bbox", Config.of("type", "L1Loss"),
      "train_cfg", Config.of("assigner", Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5, "neg_iou_thr",
          0.4, "min_pos_iou", 0, "ignore_iof_thr", -1), "allowed_border", -1, "pos_weight", -1),
      "test_cfg", Config.of("nms_pre", 100, "score_thr", 0.05, "nms", Config.of("type", "nms", "iou_threshold", 0.5),
          "max_per_img", 10));

  private static INDArray zeros(DataType type, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Tensors.create(new double[(int) n], type, shape);
  }

  private static List<INDArray> levels(int n, int channels, DataType type) {
    List<INDArray> out = new ArrayList<>();
    int[][] hw = {{16, 20}, {8, 10}, {4, 5}};
    for (int[] s : hw) {
      out.add(zeros(type, n, channels, s[0], s[1]));
    }
    return out;
  }

  private static List<ImageMeta> metas(int n) {
    List<ImageMeta> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ImageMeta.ofSize(128, 160));
    }
    return out;
  }

  private static List<GroundTruth> gts(int n) {
    List<GroundTruth> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(GroundTruth.of(Tiny.boxes(10, 10, 50, 50), Tiny.labels(1)));
    }
    return out;
  }

  private final AnchorHead head = Heads.build(RETINA, AnchorHead.class);

  @Test
  void wrongLevelCountNamesBothCounts() {
    List<INDArray> cls = levels(2, 36, DataType.FLOAT).subList(0, 2);
    List<INDArray> box = levels(2, 36, DataType.FLOAT).subList(0, 2);
    assertThatThrownBy(() -> head.loss(cls, box, gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cls_scores must have one array per level (3 levels")
        .hasMessageContaining("got 2");
    assertThatThrownBy(() -> head.predict(HeadOutputs.of(cls, box), metas(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one array per level");
  }

  @Test
  void wrongChannelsNameTheLevelAndBothShapes() {
    List<INDArray> cls = levels(2, 36, DataType.FLOAT);
    cls.set(1, zeros(DataType.FLOAT, 2, 35, 8, 10));
    assertThatThrownBy(() -> head.loss(cls, levels(2, 36, DataType.FLOAT), gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cls_scores[1] must be [2,36,8,10]")
        .hasMessageContaining("9 anchors x 4 classes")
        .hasMessageContaining("got [2,35,8,10]");
  }

  @Test
  void regressionMapMustMatchTheScoreMap() {
    List<INDArray> box = levels(2, 36, DataType.FLOAT);
    box.set(2, zeros(DataType.FLOAT, 2, 36, 4, 6));
    assertThatThrownBy(() -> head.loss(levels(2, 36, DataType.FLOAT), box, gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bbox_preds[2] must be [2,36,4,5]")
        .hasMessageContaining("got [2,36,4,6]");
  }

  @Test
  void batchSizeMustMatchMetasAndGroundTruths() {
    assertThatThrownBy(() -> head.loss(levels(2, 36, DataType.FLOAT), levels(2, 36, DataType.FLOAT), gts(3),
        metas(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cls_scores[0] must be [3,36,16,20]")
        .hasMessageContaining("got [2,36,16,20]");
    assertThatThrownBy(() -> head.loss(levels(2, 36, DataType.FLOAT), levels(2, 36, DataType.FLOAT), gts(1),
        metas(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ground truth of every image (2); got 1");
  }

  @Test
  void rankAndDtypeAreChecked() {
    List<INDArray> cls = levels(2, 36, DataType.FLOAT);
    cls.set(0, zeros(DataType.FLOAT, 2, 36, 320));
    assertThatThrownBy(() -> head.loss(cls, levels(2, 36, DataType.FLOAT), gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cls_scores[0] must be NCHW");
    assertThatThrownBy(() -> head.loss(levels(2, 36, DataType.FLOAT), levels(2, 36, DataType.DOUBLE), gts(2),
        metas(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all outputs must share one dtype");
    List<INDArray> ints = new ArrayList<>();
    for (INDArray a : levels(2, 36, DataType.FLOAT)) {
      ints.add(a.castTo(DataType.INT32));
    }
    assertThatThrownBy(() -> head.loss(ints, levels(2, 36, DataType.FLOAT), gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be floating point");
  }

  @Test
  void atssNeedsCenternessWithOneChannelPerAnchor() {
    Config cfg = Config.of("type", "ATSSHead", "num_classes", 4,
        "anchor_generator", Config.of("type", "AnchorGenerator", "ratios", List.of(1.0), "octave_base_scale", 8,
            "scales_per_octave", 1, "strides", List.of(8, 16, 32)),
        "loss_cls", Config.of("type", "FocalLoss", "use_sigmoid", true),
        "loss_bbox", Config.of("type", "GIoULoss", "loss_weight", 2.0),
        "train_cfg", Config.of("assigner", Config.of("type", "ATSSAssigner", "topk", 9), "allowed_border", -1,
            "pos_weight", -1));
    AnchorHead atss = Heads.build(cfg, AnchorHead.class);
    HeadOutputs noCenterness = HeadOutputs.of(levels(2, 4, DataType.FLOAT), levels(2, 4, DataType.FLOAT));
    assertThatThrownBy(() -> atss.loss(noCenterness, gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs head output 'centernesses'");
    HeadOutputs wide = noCenterness.with(HeadOutputs.CENTERNESSES, levels(2, 2, DataType.FLOAT));
    assertThatThrownBy(() -> atss.loss(wide, gts(2), metas(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("centernesses[0] must be [2,1,16,20]")
        .hasMessageContaining("got [2,2,16,20]");
  }

  @Test
  void outputListsMustAgreeOnTheLevelCount() {
    assertThatThrownBy(() -> HeadOutputs.of(levels(1, 36, DataType.FLOAT), levels(1, 36, DataType.FLOAT)
        .subList(0, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bbox_preds has 2 levels but cls_scores has 3");
  }

  @Test
  void headsWithoutConfigRefuseTheMissingHalf() {
    AnchorHead predictOnly = Heads.build(RETINA.without("train_cfg"), AnchorHead.class);
    assertThatThrownBy(() -> predictOnly.loss(levels(2, 36, DataType.FLOAT), levels(2, 36, DataType.FLOAT), gts(2),
        metas(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("without train_cfg");
    AnchorHead trainOnly = Heads.build(RETINA.without("test_cfg"), AnchorHead.class);
    assertThatThrownBy(() -> trainOnly.predict(HeadOutputs.of(levels(1, 36, DataType.FLOAT),
        levels(1, 36, DataType.FLOAT)), metas(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no test_cfg");
  }

  @Test
  void malformedAnnotationsAreRejected() {
    assertThatThrownBy(() -> GroundTruth.of(Tiny.boxes(1, 2, 3, 4), Tiny.labels(0, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_labels must be [K] with K=1");
    assertThatThrownBy(() -> GroundTruth.of(Tensors.create(new double[6], DataType.FLOAT, 2, 3), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gt_bboxes must be [N,4]");
    assertThatThrownBy(() -> GroundTruth.of(Tiny.boxes(1, 2, 3, 4), Tiny.labels(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class indices >= 0");
    List<GroundTruth> tooHigh = List.of(GroundTruth.of(Tiny.boxes(10, 10, 50, 50), Tiny.labels(4)));
    assertThatThrownBy(() -> head.loss(levels(1, 36, DataType.FLOAT), levels(1, 36, DataType.FLOAT), tooHigh,
        metas(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gt_labels of image 0 must be in [0, num_classes=4); gt 0 has label 4");
  }
}
