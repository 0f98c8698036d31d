/**
 * Box coders: regression targets from boxes and boxes from predictions, ported from MMDetection
 * 2.x ({@code mmdet/core/bbox/coder}), with the vector-Jacobian products that training needs.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} in pixels, widths {@code x2 - x1} (no +1). See {@link
 * io.detkit.core.coder.BBoxCoder} for shapes, precision and errors.
 */
package io.detkit.core.coder;
