package io.detkit.tools.model;

/**
 * TOOD's classification alignment: inputs the class logits {@code [N, C, H, W]} and one
 * alignment logit per location {@code [N, 1, H, W]}; output the probabilities
 * {@code sqrt(sigmoid(cls) * sigmoid(prob))}, the alignment broadcast over the classes. Gradients
 * {@code y (1 - sigmoid(a)) / 2} with respect to either logit (the alignment's summed over the
 * classes), which stay finite where {@code y} underflows to 0.
 */
final class SigmoidGeometricMean extends HostVertex {
  private static final long serialVersionUID = 1L;

  /** Class logits {@code [N, C, H, W]} and alignment logits {@code [N, 1, H, W]}. */
  SigmoidGeometricMean() {
    super(ANY, "1");
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** One walk over the locations. */
  @Override
  void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
    Nchw s = Nchw.of(shapes[0]);
    int c = s.c();
    int hw = s.hw();
    for (int img = 0; img < s.n(); img++) {
      for (int p = 0; p < hw; p++) {
        double sb = sigmoid(in[1][img * hw + p]);
        double db = 0;
        for (int k = 0; k < c; k++) {
          int i = (img * c + k) * hw + p;
          double sa = sigmoid(in[0][i]);
          if (eps == null) {
            out[i] = Math.sqrt(sa * sb);
            continue;
          }
          double half = 0.5 * Math.sqrt(sa * sb) * eps[i];
          grads[0][i] = half * (1 - sa);
          db += half * (1 - sb);
        }
        if (eps != null) {
          grads[1][img * hw + p] = db;
        }
      }
    }
  }
}
