package io.detkit.tools.model;

/**
 * TOOD's layer attention applied to the stacked tower features (MMDetection's
 * {@code TaskDecomposition}): inputs the concatenated outputs of the {@code S} shared convolutions
 * {@code [N, S*F, H, W]} and one weight per image and convolution {@code [N, S, 1, 1]} (the sigmoid
 * of a small network on the features' global average); output the features with each
 * convolution's {@code F} channels multiplied by its weight. A following 1x1 convolution then
 * reduces them to {@code F} channels, which equals MMDetection's product of the attention with the
 * reduction convolution's weight.
 */
final class LayerAttention extends HostVertex {
  private static final long serialVersionUID = 1L;

  private int stacked;

  /** For Jackson and cloning. */
  LayerAttention() {
    super(2);
  }

  /** Attention over {@code stacked} groups of channels. */
  LayerAttention(int stacked) {
    super(2);
    if (stacked <= 0) {
      throw new IllegalArgumentException("stacked convolutions must be > 0; got " + stacked);
    }
    this.stacked = stacked;
  }

  @Override
  boolean fits(long[][] in) {
    long[] f = in[0];
    long[] w = in[1];
    return f.length == 4 && f[1] % stacked == 0 && w.length == 4 && w[0] == f[0] && w[1] == stacked
        && w[2] * w[3] == 1;
  }

  @Override
  String expectedShapes() {
    return "[N, " + stacked + "*F, H, W] and [N, " + stacked + ", 1, 1]";
  }

  /** One walk over the (image, convolution) blocks. */
  @Override
  void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
    double[] f = in[0];
    double[] w = in[1];
    int groups = (int) shapes[0][0] * stacked;
    int block = f.length / groups;
    for (int g = 0; g < groups; g++) {
      double s = w[g];
      if (eps == null) {
        for (int i = g * block; i < (g + 1) * block; i++) {
          out[i] = f[i] * s;
        }
        continue;
      }
      double dw = 0;
      for (int i = g * block; i < (g + 1) * block; i++) {
        grads[0][i] = eps[i] * s;
        dw += eps[i] * f[i];
      }
      grads[1][g] = dw;
    }
  }

  @Override
  public String toString() {
    return "LayerAttention(" + stacked + ")";
  }
}
