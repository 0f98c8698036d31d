package io.detkit.core.anchor;

/**
 * The base anchors of one level (MMDetection's {@code gen_single_level_base_anchors}), in float32 with
 * torch's operation order, and SSD's reordered subset of them.
 */
final class BaseAnchors {
  private BaseAnchors() {}

  /** The base anchors of one level, flat {@code 4*A}, in float32 with torch's operation order. */
  static float[] singleLevel(double baseSize, float[] scales, float[] ratios, boolean scaleMajor,
      double centerOffset, double[] center) {
    float size = (float) baseSize;
    int nr = ratios.length;
    int ns = scales.length;
    float[] hRatios = new float[nr];
    float[] wRatios = new float[nr];
    for (int r = 0; r < nr; r++) {
      hRatios[r] = (float) Math.sqrt(ratios[r]);
      wRatios[r] = 1f / hRatios[r];
    }
    float[] ws = new float[nr * ns];
    float[] hs = new float[nr * ns];
    for (int r = 0; r < nr; r++) {
      for (int s = 0; s < ns; s++) {
        // The two layouts multiply in different orders, which changes float32 rounding.
        if (scaleMajor) {
          ws[r * ns + s] = size * wRatios[r] * scales[s];
          hs[r * ns + s] = size * hRatios[r] * scales[s];
        } else {
          ws[s * nr + r] = size * scales[s] * wRatios[r];
          hs[s * nr + r] = size * scales[s] * hRatios[r];
        }
      }
    }
    float cx = (float) (center == null ? centerOffset * baseSize : center[0]);
    float cy = (float) (center == null ? centerOffset * baseSize : center[1]);
    float[] out = new float[4 * ws.length];
    for (int i = 0; i < ws.length; i++) {
      float hw = 0.5f * ws[i];
      float hh = 0.5f * hs[i];
      out[4 * i] = cx - hw;
      out[4 * i + 1] = cy - hh;
      out[4 * i + 2] = cx + hw;
      out[4 * i + 3] = cy + hh;
    }
    return out;
  }

  /**
   * SSD's {@code numRatios + 1} anchors out of the {@code 2 * numRatios} generated, ordered
   * {@code [0, numRatios, 1, ..., numRatios - 1]}.
   */
  static float[] ssdSubset(float[] anchors, int numRatios) {
    int[] order = new int[numRatios + 1];
    order[0] = 0;
    order[1] = numRatios;
    for (int i = 2; i <= numRatios; i++) {
      order[i] = i - 1;
    }
    float[] out = new float[4 * order.length];
    for (int i = 0; i < order.length; i++) {
      System.arraycopy(anchors, 4 * order[i], out, 4 * i, 4);
    }
    return out;
  }
}
