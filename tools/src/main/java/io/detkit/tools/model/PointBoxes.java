package io.detkit.tools.model;

/**
 * The boxes of TOOD's anchor-free regression: input the distances {@code (l, t, r, b)}
 * {@code [N, 4, H, W]} in stride units (already positive and scaled), output the boxes
 * {@code (x1, y1, x2, y2)} around each location's prior centre in stride units,
 * {@code (j + offsetX, i + offsetY)} for column {@code j} and row {@code i} (MMDetection's
 * {@code distance2bbox(anchor_center / stride, distances)}). The offsets are the level's prior
 * centre at cell (0, 0) divided by its stride, read from the head's prior generator.
 */
final class PointBoxes extends HostVertex {
  private static final long serialVersionUID = 1L;

  private double offsetX;
  private double offsetY;

  /** For Jackson and cloning. */
  PointBoxes() {
    super("4");
  }

  /** Distances {@code [N, 4, H, W]} around prior centres at {@code (j + offsetX, i + offsetY)}. */
  PointBoxes(double offsetX, double offsetY) {
    super("4");
    if (!Double.isFinite(offsetX) || !Double.isFinite(offsetY)) {
      throw new IllegalArgumentException("prior centre offsets must be finite; got " + offsetX + ", " + offsetY);
    }
    this.offsetX = offsetX;
    this.offsetY = offsetY;
  }

  /** Forward: the box sides; backward: the distances' gradients, negated for the left and top sides. */
  @Override
  void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
    Nchw s = Nchw.of(shapes[0]);
    int w = s.w();
    int hw = s.hw();
    if (eps != null) {
      for (int i = 0; i < eps.length; i++) {
        int side = (i / hw) % 4;
        grads[0][i] = side < 2 ? -eps[i] : eps[i];
      }
      return;
    }
    double[] d = in[0];
    for (int img = 0; img < s.n(); img++) {
      int base = img * 4 * hw;
      for (int p = 0; p < hw; p++) {
        double cx = p % w + offsetX;
        double cy = p / w + offsetY;
        out[base + p] = cx - d[base + p];
        out[base + hw + p] = cy - d[base + hw + p];
        out[base + 2 * hw + p] = cx + d[base + 2 * hw + p];
        out[base + 3 * hw + p] = cy + d[base + 3 * hw + p];
      }
    }
  }

  @Override
  public String toString() {
    return "PointBoxes(offset=" + offsetX + ", " + offsetY + ")";
  }
}
