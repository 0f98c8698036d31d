/**
 * Building blocks of GFL (Generalized Focal Loss) heads: {@link io.detkit.heads.gfl.Integral}, the
 * projection of a box side's discrete distribution to its expected distance.
 */
package io.detkit.heads.gfl;
