package io.detkit.heads.anchorfree;

import io.detkit.heads.HeadTargets;
import java.util.Optional;

/**
 * VFNet's training targets: labels and distances per level in FCOS's layout, and with
 * {@code use_atss} the ATSS targets they were encoded from.
 *
 * @param points labels and distances per level (image-major inside a level)
 * @param atss the ATSS head's targets (anchors, label and box weights, assignments), or null
 *     without {@code use_atss}
 */
public record VFNetTargets(FCOSTargets points, HeadTargets atss) {
  /** The ATSS targets, present with {@code use_atss}. */
  public Optional<HeadTargets> atssTargets() {
    return Optional.ofNullable(atss);
  }
}
