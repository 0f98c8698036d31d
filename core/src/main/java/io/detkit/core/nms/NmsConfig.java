package io.detkit.core.nms;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigField;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NotNaN;
import io.detkit.core.config.ParamChecks.ZeroOrOne;
import io.detkit.core.config.RecordBinder;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * The {@code nms} dict of an MMDetection test config, e.g. {@code dict(type='nms',
 * iou_threshold=0.5)}, as read by {@code batched_nms} and mmcv's {@code nms}.
 *
 * <ul>
 *   <li>{@code type}: only {@code 'nms'} (hard NMS);
 *   <li>{@code iou_threshold}: a box is suppressed when its IoU with a kept, higher-scoring box of the
 *       same class is strictly greater;
 *   <li>{@code class_agnostic}: suppress across classes too (default false);
 *   <li>{@code offset}: 0 or 1, added to widths and heights (legacy +1 convention; default 0);
 *   <li>{@code score_threshold}: when &gt; 0, only boxes scoring strictly above it take part;
 *   <li>{@code max_num}: when &gt; 0, keep at most that many (highest scores first);
 *   <li>{@code split_thr}: accepted; MMDetection uses it to choose between two implementations with
 *       the same result.
 * </ul>
 *
 * <p>Immutable; the record's components are the settings, checked when it is made, and edited with
 * the withers record-builder generates ({@code NmsConfig.of(0.5).withMaxNum(100)}).
 *
 * @param iouThreshold IoU strictly above which a lower-scoring box is suppressed (not NaN)
 * @param classAgnostic whether boxes of different classes suppress each other
 * @param offset 0 or 1, added to widths and heights
 * @param scoreThreshold score a box must exceed to take part, when &gt; 0 (not NaN)
 * @param maxNum at most this many kept boxes when &gt; 0; otherwise no limit
 * @param splitThr mmcv's {@code split_thr}: accepted and kept; it does not change the result
 */
@RecordBuilder
public record NmsConfig(@ConfigField(required = true) @NotNaN double iouThreshold, boolean classAgnostic,
    @ZeroOrOne int offset, @NotNaN double scoreThreshold, int maxNum, long splitThr) implements NmsConfigBuilder.With {
  /**
   * @throws ParamChecks.BadParameter {@code "iou_threshold must be a number; got NaN"}, {@code
   *     "offset must be 0 or 1; got 2"}, naming the config key
   */
  public NmsConfig {
    ParamChecks.check(NmsConfig.class, iouThreshold, classAgnostic, offset, scoreThreshold, maxNum, splitThr);
  }

  /**
   * Plain class-aware NMS at {@code iouThreshold}.
   *
   * @throws IllegalArgumentException if the threshold is NaN
   */
  public static NmsConfig of(double iouThreshold) {
    return new NmsConfig(iouThreshold, false, 0, 0, -1, 10000);
  }

  /** Reads each setting from its key ({@code iou_threshold} required), the others defaulting as {@link #of}. */
  private static final RecordBinder<NmsConfig> BINDER = RecordBinder.of(of(0));

  /**
   * Reads an MMDetection nms dict.
   *
   * @throws ConfigException at the key's path for a type other than 'nms', a missing
   *     {@code iou_threshold}, a value of the wrong type, an offset other than 0/1, a NaN threshold,
   *     or an unknown parameter
   */
  public static NmsConfig fromConfig(Config config) {
    Tensors.requireNonNull(config, "config");
    Config c = config.tracked();
    String type = c.getString("type", "nms");
    if (!type.equals("nms")) {
      throw ConfigException.at(c.pathOf("type"), "only nms type 'nms' is supported; got '" + type + "'");
    }
    NmsConfig nms = ConfigException.reraisedAt(c, () -> BINDER.apply(c));
    c.requireAllRead("nms type 'nms'");
    return nms;
  }

  @Override
  public String toString() {
    return "dict(type='nms', iou_threshold=" + iouThreshold + ", class_agnostic=" + (classAgnostic ? "True" : "False")
        + ", offset=" + offset + ", score_threshold=" + scoreThreshold + ", max_num=" + maxNum + ", split_thr="
        + splitThr + ")";
  }
}
