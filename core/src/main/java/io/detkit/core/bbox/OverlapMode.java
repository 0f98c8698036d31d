package io.detkit.core.bbox;

import java.util.Locale;

/** How two boxes' overlap is measured; the names are MMDetection's {@code mode} strings. */
public enum OverlapMode {
  /** Intersection over union. */
  IOU,
  /** Intersection over the first box's area (foreground). */
  IOF,
  /** Generalized IoU: IoU minus the enclosing box's share not covered by the union; in [-1, 1]. */
  GIOU;

  /**
   * Parses {@code iou}, {@code iof} or {@code giou}.
   *
   * @throws IllegalArgumentException naming {@code mode} and the accepted values
   */
  public static OverlapMode parse(String mode) {
    if (mode != null) {
      switch (mode.toLowerCase(Locale.ROOT)) {
        case "iou":
          return IOU;
        case "iof":
          return IOF;
        case "giou":
          return GIOU;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("mode must be one of 'iou', 'iof', 'giou'; got '" + mode + "'");
  }

  /** The MMDetection spelling. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
