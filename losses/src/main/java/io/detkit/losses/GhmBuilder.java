package io.detkit.losses;

/**
 * The builder base of {@link GHMC} and {@link GHMR}: the shared options plus the histogram's
 * {@code bins} (default 10) and {@code momentum} (default 0, no running counts).
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <L> the loss built
 *
 * <p>Its public methods are not final: javac then gives each public subclass a bridge to them,
 * which reflection from other packages needs (this class is package-private).
 */
abstract class GhmBuilder<B extends GhmBuilder<B, L>, L extends Loss> extends LossBuilder<B, L> {
  int bins;
  double momentum;

  GhmBuilder(int bins, double momentum) {
    this.bins = bins;
    this.momentum = momentum;
  }

  /** The number of gradient-norm bins; {@link #build()} requires {@code 1 <= bins <= Limits.MAX_BINS}. */
  public B bins(int bins) {
    this.bins = bins;
    return self();
  }

  /** The running counts' momentum; {@link #build()} requires {@code 0 <= momentum < 1}. */
  public B momentum(double momentum) {
    this.momentum = momentum;
    return self();
  }
}
