package io.detkit.losses;

/**
 * The builder base of the IoU-family losses: the shared options plus {@code eps}, whose default
 * and meaning are each loss's own (see the loss's {@code eps} key).
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <L> the loss built
 *
 * <p>Its public methods are not final: javac then gives each public subclass a bridge to them,
 * which reflection from other packages needs (this class is package-private).
 */
abstract class BoxLossBuilder<B extends BoxLossBuilder<B, L>, L extends Loss> extends LossBuilder<B, L> {
  double eps;

  BoxLossBuilder(double defaultEps) {
    this.eps = defaultEps;
  }

  /** The loss's {@code eps}; {@link #build()} requires it {@code > 0} and finite in float32. */
  public B eps(double eps) {
    this.eps = eps;
    return self();
  }
}
