/**
 * GFL (Generalized Focal Loss): {@link io.detkit.heads.gfl.GFLHead} and its losses, and
 * {@link io.detkit.heads.gfl.Integral}, the projection of a box side's discrete distribution to its
 * expected distance.
 */
package io.detkit.heads.gfl;
