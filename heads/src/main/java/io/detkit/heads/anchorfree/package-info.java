/**
 * Anchor-free dense heads: predictions at the points of each feature map instead of at anchors.
 *
 * <p>{@link io.detkit.heads.anchorfree.AnchorFreeHead} (MMDetection's {@code AnchorFreeHead}) is a
 * {@link io.detkit.heads.BaseDenseHead} whose priors are the points of
 * {@link io.detkit.core.anchor.MlvlPointGenerator} and which has no assigner; it adds the output
 * checks and {@code predict} ({@code PointPredictor}).
 * {@link io.detkit.heads.anchorfree.FCOSHead} adds FCOS's targets
 * ({@link io.detkit.heads.anchorfree.FCOSTargets}) and losses;
 * {@link io.detkit.heads.anchorfree.VFNetHead} VarifocalNet's losses. They are built by
 * {@link io.detkit.heads.anchorfree.PointHeadBuilder} (a {@link io.detkit.heads.HeadBuilder}) and
 * registered in {@link io.detkit.heads.Heads#REGISTRY} by
 * {@link io.detkit.heads.anchorfree.AnchorFreeHeadProvider}.
 *
 * <p>The package uses only the public API of {@code io.detkit.heads}, {@code core} and
 * {@code losses}.
 */
package io.detkit.heads.anchorfree;
