package io.detkit.core.bbox;

/**
 * Pairwise box overlaps on primitive arrays, the loops behind {@code bbox_overlaps} and the
 * assigners. Boxes are {@code (x1, y1, x2, y2)} rows packed in a flat array ({@code 4*i+k}).
 *
 * <p>The float version performs the same float32 operations in the same order as MMDetection's
 * PyTorch code, so results match bit for bit and threshold comparisons and ties in the assigners
 * come out the same. Degenerate boxes (x2 &lt; x1) are not clamped in the area terms, as in
 * MMDetection; {@code eps} bounds the union and the enclosing area from below.
 */
public final class OverlapKernels {
  private OverlapKernels() {}

  /**
   * Overlaps of rows {@code [rowStart, rowEnd)} of {@code a} with every box of {@code b}, written to
   * {@code out[(i - rowStart) * m + j]}.
   *
   * @param a first boxes, {@code 4*n} floats
   * @param b second boxes, {@code 4*m} floats
   */
  public static void pairwise(float[] a, int rowStart, int rowEnd, float[] b, OverlapMode mode, float eps,
      float[] out) {
    int m = b.length / 4;
    float[] area2 = new float[m];
    for (int j = 0; j < m; j++) {
      area2[j] = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
    }
    for (int i = rowStart; i < rowEnd; i++) {
      float ax1 = a[4 * i];
      float ay1 = a[4 * i + 1];
      float ax2 = a[4 * i + 2];
      float ay2 = a[4 * i + 3];
      float area1 = (ax2 - ax1) * (ay2 - ay1);
      int o = (i - rowStart) * m;
      for (int j = 0; j < m; j++) {
        float bx1 = b[4 * j];
        float by1 = b[4 * j + 1];
        float bx2 = b[4 * j + 2];
        float by2 = b[4 * j + 3];
        float w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0f);
        float h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0f);
        float overlap = w * h;
        float union = mode == OverlapMode.IOF ? area1 : area1 + area2[j] - overlap;
        union = Math.max(union, eps);
        float iou = overlap / union;
        if (mode == OverlapMode.GIOU) {
          float ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0f);
          float eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0f);
          float enclose = Math.max(ew * eh, eps);
          iou = iou - (enclose - union) / enclose;
        }
        out[o + j] = iou;
      }
    }
  }

  /** Double-precision counterpart of {@link #pairwise(float[], int, int, float[], OverlapMode, float, float[])}. */
  public static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps,
      double[] out) {
    int m = b.length / 4;
    double[] area2 = new double[m];
    for (int j = 0; j < m; j++) {
      area2[j] = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
    }
    for (int i = rowStart; i < rowEnd; i++) {
      double ax1 = a[4 * i];
      double ay1 = a[4 * i + 1];
      double ax2 = a[4 * i + 2];
      double ay2 = a[4 * i + 3];
      double area1 = (ax2 - ax1) * (ay2 - ay1);
      int o = (i - rowStart) * m;
      for (int j = 0; j < m; j++) {
        double bx1 = b[4 * j];
        double by1 = b[4 * j + 1];
        double bx2 = b[4 * j + 2];
        double by2 = b[4 * j + 3];
        double w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0d);
        double h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0d);
        double overlap = w * h;
        double union = mode == OverlapMode.IOF ? area1 : area1 + area2[j] - overlap;
        union = Math.max(union, eps);
        double iou = overlap / union;
        if (mode == OverlapMode.GIOU) {
          double ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0d);
          double eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0d);
          double enclose = Math.max(ew * eh, eps);
          iou = iou - (enclose - union) / enclose;
        }
        out[o + j] = iou;
      }
    }
  }

  /** All pairs: a {@code n*m} float matrix, row-major. */
  public static float[] pairwise(float[] a, float[] b, OverlapMode mode, float eps) {
    int n = a.length / 4;
    float[] out = new float[n * (b.length / 4)];
    pairwise(a, 0, n, b, mode, eps, out);
    return out;
  }

  /** All pairs: a {@code n*m} double matrix, row-major. */
  public static double[] pairwise(double[] a, double[] b, OverlapMode mode, double eps) {
    int n = a.length / 4;
    double[] out = new double[n * (b.length / 4)];
    pairwise(a, 0, n, b, mode, eps, out);
    return out;
  }
}
