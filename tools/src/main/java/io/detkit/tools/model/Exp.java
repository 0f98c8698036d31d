package io.detkit.tools.model;

/**
 * {@code y = exp(x)} element-wise (ND4J has no exponential activation): the positive distances of
 * TOOD's and FCOS's regression ({@code bbox_pred.exp()} in MMDetection). Gradient {@code y * dL/dy}.
 */
final class Exp extends HostVertex {
  private static final long serialVersionUID = 1L;

  @Override
  int numInputs() {
    return 1;
  }

  @Override
  long[] outputShape(long[][] in) {
    return in[0].clone();
  }

  @Override
  void forward(double[][] in, long[][] shapes, double[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.exp(in[0][i]);
    }
  }

  @Override
  void backward(double[][] in, long[][] shapes, double[] eps, double[][] grads) {
    for (int i = 0; i < eps.length; i++) {
      grads[0][i] = Math.exp(in[0][i]) * eps[i];
    }
  }

  @Override
  public String toString() {
    return "Exp";
  }
}
