package io.detkit.tools.model;

/**
 * {@code y = exp(x)} element-wise (ND4J has no exponential activation): the positive distances of
 * TOOD's and FCOS's regression ({@code bbox_pred.exp()} in MMDetection). Gradient {@code y * dL/dy}.
 */
final class Exp extends HostVertex {
  private static final long serialVersionUID = 1L;

  Exp() {
    super(1);
  }

  @Override
  void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
    for (int i = 0; i < in[0].length; i++) {
      double y = Math.exp(in[0][i]);
      if (eps == null) {
        out[i] = y;
      } else {
        grads[0][i] = y * eps[i];
      }
    }
  }
}
