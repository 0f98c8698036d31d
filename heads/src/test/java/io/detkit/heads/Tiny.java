package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A one-level, one-anchor-per-cell setup small enough to compute by hand: stride 16, 16x16 anchors
 * centred on the cell corners, so a 2x2 feature map has the anchors
 * {@code (-8,-8,8,8), (8,-8,24,8), (-8,8,8,24), (8,8,24,24)} (index {@code y*2 + x}).
 */
public final class Tiny {
  public static final double LN2 = Math.log(2);
  /** MMDetection adds float32's epsilon to every avg_factor. */
  public static final double EPS = 1.1920928955078125e-07;

  private Tiny() {}

  public static Config anchorGenerator() {
    return Config.of("type", "AnchorGenerator", "strides", List.of(16), "ratios", List.of(1.0), "scales",
        List.of(1.0));
  }

  /** An AnchorHead config: sigmoid CE (x=0 costs ln 2 per element), L1, MaxIoU 0.5/0.4. */
  public static Config headConfig(String type, int allowedBorder, double minPosIou, double ignoreIofThr) {
    Config assigner = Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5, "neg_iou_thr", 0.4, "min_pos_iou",
        minPosIou, "ignore_iof_thr", ignoreIofThr);
    Config train = Config.of("assigner", assigner, "allowed_border", allowedBorder, "pos_weight", -1, "debug", false);
    Config test = Config.of("nms_pre", 1000, "min_bbox_size", 0, "score_thr", 0.05, "nms",
        Config.of("type", "nms", "iou_threshold", 0.5), "max_per_img", 100);
    return Config.of("type", type, "num_classes", 1, "in_channels", 8, "anchor_generator", anchorGenerator(),
        "bbox_coder", Config.of("type", "DeltaXYWHBBoxCoder", "target_means", List.of(0.0, 0.0, 0.0, 0.0),
            "target_stds", List.of(1.0, 1.0, 1.0, 1.0)),
        "loss_cls", Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "loss_weight", 1.0),
        "loss_bbox", Config.of("type", "L1Loss", "loss_weight", 1.0), "train_cfg", train, "test_cfg", test);
  }

  public static AnchorHead head(int allowedBorder, double minPosIou, double ignoreIofThr) {
    return Heads.build(headConfig("AnchorHead", allowedBorder, minPosIou, ignoreIofThr), AnchorHead.class);
  }

  /** An image of {@code h x w}, padded to 32x32. */
  public static ImageMeta meta(int h, int w) {
    return ImageMeta.of(new int[] {h, w, 3}, new int[] {32, 32, 3}, new int[] {h, w, 3}, 1.0);
  }

  /** {@code [n, channels, 2, 2]} filled with {@code value}. */
  public static INDArray filled(int n, int channels, double value) {
    double[] d = new double[n * channels * 4];
    Arrays.fill(d, value);
    return Tensors.create(d, DataType.FLOAT, n, channels, 2, 2);
  }

  public static HeadOutputs outputs(int images, double clsLogit, double delta) {
    return HeadOutputs.of(List.of(filled(images, 1, clsLogit)), List.of(filled(images, 4, delta)));
  }

  public static INDArray boxes(double... xyxy) {
    return Tensors.create(xyxy, DataType.FLOAT, xyxy.length / 4, 4);
  }

  public static INDArray labels(int... labels) {
    return Tensors.createLong(labels, labels.length);
  }

  public static GroundTruth noGt() {
    return GroundTruth.of(boxes(), labels());
  }

  public static double[] doubles(INDArray a) {
    return Tensors.toDoubles(a);
  }
}
