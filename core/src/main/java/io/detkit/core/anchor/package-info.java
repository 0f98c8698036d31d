/**
 * Prior generators: the anchors and points that dense heads place on every feature-map cell,
 * ported from MMDetection 2.x ({@code mmdet/core/anchor}).
 *
 * <p>Priors are boxes {@code (x1, y1, x2, y2)} or points {@code (x, y)} in input-image pixels.
 * Every level lists its priors location-major: cells in row-major order (y outer, x inner), and the
 * priors of one cell next to each other, so prior {@code i} of a level sits at cell
 * {@code i / numBasePriors} and has base prior {@code i % numBasePriors}. Feature-map and pad sizes
 * are {@code (h, w)}; strides are {@code (w, h)}, as in MMDetection.
 */
package io.detkit.core.anchor;
