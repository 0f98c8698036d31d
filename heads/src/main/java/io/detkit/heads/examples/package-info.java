/**
 * Worked extensions of the dense heads, written against the public API of {@code io.detkit.heads}
 * only, and taught by {@code docs/customize_losses.md}:
 * <ul>
 *   <li>{@link io.detkit.heads.examples.IoUWeightedAnchorHead}: positives weighted by their IoU with
 *       their gt (a per-image target hook, or a target transform handed to any builder);
 *   <li>{@link io.detkit.heads.examples.QualityFocalATSSHead}: QualityFocalLoss on ATSS with IoU soft
 *       targets (the per-level classification hook);
 *   <li>{@link io.detkit.heads.examples.IoUBranchRetinaHead}: an IoU-prediction branch on RetinaHead
 *       (a declared output, a target extra, an extra loss term and its gradient).
 * </ul>
 */
package io.detkit.heads.examples;
