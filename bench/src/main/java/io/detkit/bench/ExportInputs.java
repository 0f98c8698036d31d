package io.detkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmarks' inputs as {@code .npy} files so that {@code bench/pytorch_bench.py} runs
 * PyTorch on exactly the numbers detkit saw. Usage: {@code ExportInputs <dir>}.
 *
 * <p>Files: {@code retina_anchors} {@code [182403,4]}, {@code atss_anchors} {@code [20267,4]},
 * {@code retina_num_level_anchors}, {@code atss_num_level_anchors}, {@code gt{20,100}_boxes}/{@code
 * _labels} and {@code gt{20,100}b_boxes}/{@code _labels} (the batch's second image), {@code
 * focal_logits} {@code [182403,80]}/{@code focal_labels}, {@code giou_pred}/{@code giou_target}
 * {@code [10000,4]}, {@code nms_boxes} {@code [1000,4]}/{@code nms_scores} {@code [1000,81]}, and
 * the head outputs {@code <head>_{cls,reg,ctr}_l<level>} {@code [2, channels, h, w]} of a batch of
 * two for each {@link HeadMaps.Kind} ({@code retina}, {@code atss}, {@code gfl}, {@code fcos},
 * {@code tood}; centerness for ATSS and FCOS only); boxes are float32 {@code (x1, y1, x2, y2)},
 * labels int64.
 */
public final class ExportInputs {
  private ExportInputs() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ExportInputs <output dir>; got " + args.length + " arguments");
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    float[] retina = CocoScale.anchors(CocoScale.retinaAnchorGenerator());
    NpyWriter.write(dir.resolve("retina_anchors.npy"), retina, retina.length / 4, 4);
    int[] rl = CocoScale.numLevelAnchors(CocoScale.retinaAnchorGenerator());
    NpyWriter.write(dir.resolve("retina_num_level_anchors.npy"), rl, rl.length);
    float[] atss = CocoScale.anchors(CocoScale.atssAnchorGenerator());
    NpyWriter.write(dir.resolve("atss_anchors.npy"), atss, atss.length / 4, 4);
    int[] al = CocoScale.numLevelAnchors(CocoScale.atssAnchorGenerator());
    NpyWriter.write(dir.resolve("atss_num_level_anchors.npy"), al, al.length);
    for (int n : new int[] {20, 100}) {
      NpyWriter.write(dir.resolve("gt" + n + "_boxes.npy"), CocoScale.gtBoxes(n, CocoScale.GT_SEED), n, 4);
      NpyWriter.write(dir.resolve("gt" + n + "_labels.npy"), CocoScale.gtLabels(n, CocoScale.GT_SEED), n);
      NpyWriter.write(dir.resolve("gt" + n + "b_boxes.npy"), CocoScale.gtBoxes(n, CocoScale.GT_SEED_2), n, 4);
      NpyWriter.write(dir.resolve("gt" + n + "b_labels.npy"), CocoScale.gtLabels(n, CocoScale.GT_SEED_2), n);
    }
    int anchors = CocoScale.RETINA_ANCHORS;
    int c = CocoScale.NUM_CLASSES;
    NpyWriter.write(dir.resolve("focal_logits.npy"), CocoScale.logits(anchors, c, CocoScale.FOCAL_LOGIT_SEED),
        anchors, c);
    NpyWriter.write(dir.resolve("focal_labels.npy"),
        CocoScale.anchorLabels(anchors, CocoScale.FOCAL_POSITIVE_STRIDE, CocoScale.FOCAL_LABEL_SEED), anchors);
    float[][] pairs = CocoScale.boxPairs(CocoScale.GIOU_BOXES, CocoScale.GIOU_SEED);
    NpyWriter.write(dir.resolve("giou_pred.npy"), pairs[0], CocoScale.GIOU_BOXES, 4);
    NpyWriter.write(dir.resolve("giou_target.npy"), pairs[1], CocoScale.GIOU_BOXES, 4);
    float[][] det = CocoScale.detections(CocoScale.NMS_BOXES, CocoScale.NMS_OBJECTS, CocoScale.NMS_SEED);
    NpyWriter.write(dir.resolve("nms_boxes.npy"), det[0], CocoScale.NMS_BOXES, 4);
    NpyWriter.write(dir.resolve("nms_scores.npy"), det[1], CocoScale.NMS_BOXES, c + 1);
    for (HeadMaps.Kind head : HeadMaps.Kind.values()) {
      for (HeadMaps.Output out : head.outputs()) {
        for (int l = 0; l < CocoScale.STRIDES.length; l++) {
          int[] hw = CocoScale.featmapSizes().get(l);
          NpyWriter.write(dir.resolve(head.key() + "_" + out.key() + "_l" + l + ".npy"),
              HeadMaps.map(head, out, l, 2), 2, out.channels(head), hw[0], hw[1]);
        }
      }
    }
  }
}
