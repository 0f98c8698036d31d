package io.detkit.heads;

/**
 * A change to one image's training targets after assignment and sampling (re-weighting, soft
 * targets, extras), handed to {@link HeadBuilder#targetTransform} instead of overriding
 * {@link AnchorHead#refineTargets}.
 *
 * <p>Contract: receives the image's input and its targets over all anchors (labels, weights, box
 * targets, positives with their gt, the assignment); returns the targets to train with, typically
 * {@code targets.withLabelWeights(...)} or {@code targets.withExtra(...)}, over the same anchors. It
 * is called once per image per loss call, on the head's executor: several images may run at once,
 * so an implementation must be thread-safe (a pure function of its arguments is). It is not called
 * for an image with no inside anchor.
 */
@FunctionalInterface
public interface TargetTransform {
  /**
   * @param in the image's input (anchors, valid flags, ground truth, meta, random generator)
   * @param targets the image's targets as the head built them
   * @return the targets to train with (not null)
   */
  ImageTargets apply(SingleImageInput in, ImageTargets targets);
}
