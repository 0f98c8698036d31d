package io.detkit.bench;

import com.google.common.primitives.Floats;
import io.detkit.core.anchor.AnchorGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.anchor.PriorGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic benchmark inputs at COCO scale: one {@value #IMG_H} x {@value #IMG_W} image (the
 * usual 800 x 1333 resize padded to a multiple of 32), five FPN levels with strides 8..128,
 * RetinaNet's 9 anchors per location (182,403 anchors) and ATSS's 1 (20,267), {@value
 * #NUM_CLASSES} classes. The heads' output maps are {@link HeadMaps}.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} float32 rows packed in flat arrays. Every generator takes
 * an explicit seed and uses {@link SplittableRandom}, so a given call returns the same values on
 * every JVM; {@link ExportInputs} writes them to .npy files so the PyTorch side sees the same
 * numbers.
 */
public final class CocoScale {
  /** Padded image height. */
  public static final int IMG_H = 800;
  /** Padded image width. */
  public static final int IMG_W = 1216;
  /** FPN strides, P3..P7. */
  public static final int[] STRIDES = {8, 16, 32, 64, 128};
  /** COCO's class count. */
  public static final int NUM_CLASSES = 80;
  /** Seed of the ground-truth boxes of the first image. */
  public static final long GT_SEED = 20_240_101L;
  /** Seed of the second image's ground truth in the batch-of-2 head cases. */
  public static final long GT_SEED_2 = 20_240_102L;

  /** RetinaNet's anchors for one image (9 per location). */
  public static final int RETINA_ANCHORS = 182_403;
  /** FocalLoss case: logits seed, label seed, and every {@value}-th anchor positive (365 positives). */
  public static final int FOCAL_POSITIVE_STRIDE = 500;
  public static final long FOCAL_LOGIT_SEED = 11;
  public static final long FOCAL_LABEL_SEED = 12;
  /** GIoULoss case: box pairs and seed. */
  public static final int GIOU_BOXES = 10_000;
  public static final long GIOU_SEED = 13;
  /** multiclass_nms case: boxes, the objects they scatter around, seed. */
  public static final int NMS_BOXES = 1_000;
  public static final int NMS_OBJECTS = 30;
  public static final long NMS_SEED = 21;

  private CocoScale() {}

  /** {@code (h, w)} of each level: {@code ceil(IMG / stride)}, as the FPN's convolutions produce. */
  public static List<int[]> featmapSizes() {
    List<int[]> out = new ArrayList<>(STRIDES.length);
    for (int s : STRIDES) {
      out.add(new int[] {(IMG_H + s - 1) / s, (IMG_W + s - 1) / s});
    }
    return out;
  }

  /** Locations summed over the levels (20,267). */
  public static int numLocations() {
    int n = 0;
    for (int[] hw : featmapSizes()) {
      n += hw[0] * hw[1];
    }
    return n;
  }

  /** RetinaNet's generator: octave base scale 4, 3 scales per octave, ratios 0.5/1/2. */
  public static AnchorGenerator retinaAnchorGenerator() {
    return new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(8, 16, 32, 64, 128),
        new double[] {0.5, 1.0, 2.0}, 4, 3));
  }

  /** ATSS's generator: one square anchor of 8 strides per location. */
  public static AnchorGenerator atssAnchorGenerator() {
    return new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(8, 16, 32, 64, 128),
        new double[] {1.0}, 8, 1));
  }

  /** The anchors of every level concatenated, {@code [sum h*w*A, 4]} packed row-major. */
  public static float[] anchors(PriorGenerator gen) {
    List<int[]> sizes = featmapSizes();
    float[][] levels = new float[sizes.size()][];
    for (int l = 0; l < levels.length; l++) {
      levels[l] = gen.gridPriorsFlat(l, sizes.get(l)[0], sizes.get(l)[1]);
    }
    return Floats.concat(levels);
  }

  /** Anchors per level ({@code h*w*A}). */
  public static int[] numLevelAnchors(PriorGenerator gen) {
    List<int[]> sizes = featmapSizes();
    int[] out = new int[sizes.size()];
    for (int l = 0; l < out.length; l++) {
      out[l] = sizes.get(l)[0] * sizes.get(l)[1] * gen.numBasePriors(l);
    }
    return out;
  }

  /**
   * {@code n} ground-truth boxes inside the image: log-uniform sizes from 16 to 512 pixels (COCO's
   * small, medium and large objects), aspect ratios from 1/3 to 3, clipped to the image.
   */
  public static float[] gtBoxes(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[4 * n];
    for (int i = 0; i < n; i++) {
      double size = Math.exp(r.nextDouble(Math.log(16), Math.log(512)));
      double aspect = Math.exp(r.nextDouble(Math.log(1.0 / 3), Math.log(3)));
      double w = size * Math.sqrt(aspect);
      double h = size / Math.sqrt(aspect);
      double cx = r.nextDouble(0, IMG_W);
      double cy = r.nextDouble(0, IMG_H);
      out[4 * i] = (float) Math.max(0, cx - w / 2);
      out[4 * i + 1] = (float) Math.max(0, cy - h / 2);
      out[4 * i + 2] = (float) Math.min(IMG_W, cx + w / 2);
      out[4 * i + 3] = (float) Math.min(IMG_H, cy + h / 2);
    }
    return out;
  }

  /** {@code n} class ids in {@code [0, NUM_CLASSES)}. */
  public static int[] gtLabels(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.nextInt(NUM_CLASSES);
    }
    return out;
  }

  /**
   * Classification logits {@code [n, c]} as a freshly initialised RetinaNet emits them: the prior
   * bias {@code -log((1 - 0.01) / 0.01) = -4.595} plus N(0, 1) noise.
   */
  public static float[] logits(int n, int c, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n * c];
    double bias = -Math.log((1 - 0.01) / 0.01);
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (bias + gaussian(r));
    }
    return out;
  }

  /**
   * Per-anchor targets for the classification loss: {@code NUM_CLASSES} (background) except every
   * {@code stride}-th anchor, which gets a class id; a stride of 500 gives ~365 positives among
   * RetinaNet's anchors, what 20 objects typically get from the IoU assigner.
   */
  public static int[] anchorLabels(int n, int stride, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i % stride == 0 ? r.nextInt(NUM_CLASSES) : NUM_CLASSES;
    }
    return out;
  }

  /** Positives of the FocalLoss case: anchors 0, 500, 1000, ... */
  public static int focalNumPositives() {
    return (RETINA_ANCHORS + FOCAL_POSITIVE_STRIDE - 1) / FOCAL_POSITIVE_STRIDE;
  }

  /**
   * {@code n} (prediction, target) box pairs for the IoU-family losses: targets as in {@link
   * #gtBoxes}, predictions each target with its sides moved by up to 20% of its size.
   *
   * @return {@code {pred, target}}, each {@code [n, 4]} packed
   */
  public static float[][] boxPairs(int n, long seed) {
    float[] target = gtBoxes(n, seed);
    SplittableRandom r = new SplittableRandom(seed + 1);
    float[] pred = new float[4 * n];
    for (int i = 0; i < n; i++) {
      float w = target[4 * i + 2] - target[4 * i];
      float h = target[4 * i + 3] - target[4 * i + 1];
      pred[4 * i] = target[4 * i] + (float) (0.2 * w * r.nextDouble(-1, 1));
      pred[4 * i + 1] = target[4 * i + 1] + (float) (0.2 * h * r.nextDouble(-1, 1));
      pred[4 * i + 2] = target[4 * i + 2] + (float) (0.2 * w * r.nextDouble(-1, 1));
      pred[4 * i + 3] = target[4 * i + 3] + (float) (0.2 * h * r.nextDouble(-1, 1));
    }
    return new float[][] {pred, target};
  }

  /**
   * Test-time detections for {@code multiclass_nms}: {@code n} boxes scattered around {@code
   * objects} objects (so NMS has overlapping boxes to suppress) and {@code [n, NUM_CLASSES + 1]}
   * sigmoid-like scores whose last column is the background, as MMDetection passes them. About a
   * quarter of the box/class scores exceed 0.05.
   *
   * @return {@code {boxes [n,4], scores [n, NUM_CLASSES+1]}}
   */
  public static float[][] detections(int n, int objects, long seed) {
    float[] obj = gtBoxes(objects, seed);
    SplittableRandom r = new SplittableRandom(seed + 7);
    float[] boxes = new float[4 * n];
    float[] scores = new float[n * (NUM_CLASSES + 1)];
    for (int i = 0; i < n; i++) {
      int o = r.nextInt(objects);
      float w = obj[4 * o + 2] - obj[4 * o];
      float h = obj[4 * o + 3] - obj[4 * o + 1];
      for (int k = 0; k < 4; k++) {
        float side = k % 2 == 0 ? w : h;
        float lim = k % 2 == 0 ? IMG_W : IMG_H;
        float v = obj[4 * o + k] + (float) (0.15 * side * gaussian(r));
        boxes[4 * i + k] = Math.max(0, Math.min(lim, v));
      }
      if (boxes[4 * i + 2] <= boxes[4 * i]) {
        boxes[4 * i + 2] = boxes[4 * i] + 1;
      }
      if (boxes[4 * i + 3] <= boxes[4 * i + 1]) {
        boxes[4 * i + 3] = boxes[4 * i + 1] + 1;
      }
      for (int c = 0; c <= NUM_CLASSES; c++) {
        double logit = -3.75 + 1.2 * gaussian(r);
        scores[i * (NUM_CLASSES + 1) + c] = (float) (1 / (1 + Math.exp(-logit)));
      }
    }
    return new float[][] {boxes, scores};
  }

  /** A standard normal draw from {@code r}. */
  static double gaussian(SplittableRandom r) {
    // Box-Muller on SplittableRandom keeps the stream reproducible across JDKs.
    double u1 = r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
  }
}
