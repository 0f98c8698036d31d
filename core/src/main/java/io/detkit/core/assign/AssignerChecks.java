package io.detkit.core.assign;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Set;

/**
 * Argument checks the assigners share, in a class of their own so that the assigners need not
 * depend on one another for them.
 */
final class AssignerChecks {
  private static final Set<String> IOU_CALCULATOR_KEYS = Set.of("type", "scale", "dtype");

  private AssignerChecks() {}

  /**
   * Reads the optional {@code iou_calculator} dict. Only MMDetection's default
   * {@code dict(type='BboxOverlaps2D')} (with {@code scale=1.0} and {@code dtype=None}, the fp16
   * options having no meaning here) is supported.
   *
   * @throws ConfigException naming the key for any other calculator or option
   */
  static void readIouCalculator(Config c) {
    Config calc = c.getConfigOrNull("iou_calculator");
    if (calc == null) {
      return;
    }
    String type = calc.getString("type", "BboxOverlaps2D");
    if (!type.equals("BboxOverlaps2D")) {
      throw ConfigException.at(calc.pathOf("type"), "only iou_calculator type 'BboxOverlaps2D' is supported; got '"
          + type + "'");
    }
    double scale = calc.getDouble("scale", 1.0);
    if (scale != 1.0) {
      throw ConfigException.at(calc.pathOf("scale"), "only scale=1.0 is supported (fp16 scaling); got " + scale);
    }
    if (!calc.isNull("dtype")) {
      throw ConfigException.at(calc.pathOf("dtype"), "only dtype=None is supported (fp16 overlaps); got "
          + Config.describe(calc.get("dtype")));
    }
    calc.requireKeysIn(IOU_CALCULATOR_KEYS, "iou_calculator type 'BboxOverlaps2D'");
  }

  /**
   * The candidate count of ATSS and the task-aligned assigner.
   *
   * @return {@code topk}
   * @throws IllegalArgumentException unless {@code topk >= 1}
   */
  static int requireTopk(int topk) {
    if (topk < 1) {
      throw new IllegalArgumentException("topk must be >= 1; got " + topk);
    }
    return topk;
  }

  /**
   * The required {@code topk} of a config, checked by {@link #requireTopk}.
   *
   * @throws ConfigException at {@code topk}'s path when it is missing, not an int or below 1
   */
  static int readTopk(Config c) {
    int topk = c.getInt("topk");
    try {
      return requireTopk(topk);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf("topk"), e.getMessage());
    }
  }

  /**
   * Checks per-level prior counts: non-negative, summing to {@code numBboxes}.
   *
   * @return {@code {numBboxes}} for null (one level), else the argument
   * @throws IllegalArgumentException naming the level or the sum
   */
  static int[] checkLevels(int[] numLevelBboxes, int numBboxes) {
    if (numLevelBboxes == null) {
      return new int[] {numBboxes};
    }
    long sum = 0;
    for (int l = 0; l < numLevelBboxes.length; l++) {
      if (numLevelBboxes[l] < 0) {
        throw new IllegalArgumentException("num_level_bboxes[" + l + "] must be >= 0; got " + numLevelBboxes[l]);
      }
      sum += numLevelBboxes[l];
    }
    if (sum != numBboxes) {
      throw new IllegalArgumentException("num_level_bboxes must add up to the number of bboxes " + numBboxes
          + "; got " + java.util.Arrays.toString(numLevelBboxes) + " (sum " + sum + ")");
    }
    return numLevelBboxes;
  }
}
