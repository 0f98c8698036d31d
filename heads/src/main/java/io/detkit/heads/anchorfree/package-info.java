/**
 * Anchor-free dense heads: predictions at the points of each feature map instead of at anchors.
 *
 * <p>{@link io.detkit.heads.anchorfree.AnchorFreeHead} (MMDetection's {@code AnchorFreeHead}) holds
 * what point heads share: configuration, the points of {@link io.detkit.core.anchor.MlvlPointGenerator},
 * the output checks and {@code predict}. {@link io.detkit.heads.anchorfree.FCOSHead} adds FCOS's
 * targets ({@link io.detkit.heads.anchorfree.FCOSTargets}) and losses;
 * {@link io.detkit.heads.anchorfree.VFNetHead} VarifocalNet's losses. Build them from MMDetection
 * config dicts with {@link io.detkit.heads.anchorfree.AnchorFreeHeads}.
 *
 * <p>The package uses only the public API of {@code io.detkit.heads}, {@code core} and
 * {@code losses}.
 */
package io.detkit.heads.anchorfree;
