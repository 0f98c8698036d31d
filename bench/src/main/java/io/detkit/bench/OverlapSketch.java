package io.detkit.bench;

/**
 * A measuring stick, not library code: {@code bbox_overlaps(gt, anchors)} (IoU, float32) with the
 * anchors stored column-wise ({@code x1[], y1[], x2[], y2[]}) instead of as {@code (x1, y1, x2,
 * y2)} rows. The arithmetic is core's {@code OverlapKernels.pairwise}, operation for operation, so
 * the results are bit-identical (checked in {@code OverlapSketchTest}); the layout lets HotSpot's
 * superword pass vectorise the inner loop, which the row layout's stride of 4 prevents.
 */
final class OverlapSketch {
  final float[] x1;
  final float[] y1;
  final float[] x2;
  final float[] y2;
  final float[] area;

  /** Splits {@code [M, 4]} packed boxes into columns (done once per image for the anchors). */
  OverlapSketch(float[] boxes) {
    int m = boxes.length / 4;
    x1 = new float[m];
    y1 = new float[m];
    x2 = new float[m];
    y2 = new float[m];
    area = new float[m];
    for (int j = 0; j < m; j++) {
      x1[j] = boxes[4 * j];
      y1[j] = boxes[4 * j + 1];
      x2[j] = boxes[4 * j + 2];
      y2[j] = boxes[4 * j + 3];
      area[j] = (x2[j] - x1[j]) * (y2[j] - y1[j]);
    }
  }

  /** IoU of each of the {@code [K, 4]} boxes {@code a} with every column box, into {@code out [K, M]}. */
  void iou(float[] a, float eps, float[] out) {
    int m = x1.length;
    for (int i = 0; i < a.length / 4; i++) {
      float ax1 = a[4 * i];
      float ay1 = a[4 * i + 1];
      float ax2 = a[4 * i + 2];
      float ay2 = a[4 * i + 3];
      float area1 = (ax2 - ax1) * (ay2 - ay1);
      int o = i * m;
      for (int j = 0; j < m; j++) {
        float w = Math.max(Math.min(ax2, x2[j]) - Math.max(ax1, x1[j]), 0f);
        float h = Math.max(Math.min(ay2, y2[j]) - Math.max(ay1, y1[j]), 0f);
        float overlap = w * h;
        float union = Math.max(area1 + area[j] - overlap, eps);
        out[o + j] = overlap / union;
      }
    }
  }
}
