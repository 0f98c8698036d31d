package io.detkit.losses;

/**
 * A box loss's {@code Params} record: every IoU-family loss has an {@code eps}, read through this
 * so that {@link BoxLoss} takes it from the record rather than holding a copy.
 */
interface HasEps {
  /** The loss's {@code eps}, checked by the record ({@link Checks#positiveFloat32}). */
  double eps();
}
