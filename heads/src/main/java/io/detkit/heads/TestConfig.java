package io.detkit.heads;

import com.google.common.base.Preconditions;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Finite;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.tensor.Tensors;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A dense head's {@code test_cfg}: {@code dict(nms_pre=1000, min_bbox_size=0, score_thr=0.05,
 * nms=dict(type='nms', iou_threshold=0.5), max_per_img=100)}.
 *
 * <ul>
 *   <li>{@code nms_pre} (default -1): per level, how many of the highest scores are kept before
 *       decoding. MMDetection slices with {@code [:nms_pre]}, so -1 drops the lowest kept score of
 *       each level in the shared get_bboxes (reproduced) and means "all" in RPN;
 *   <li>{@code min_bbox_size} (default 0): RPN drops proposals whose width or height is not larger;
 *       other heads ignore it, as MMDetection does;
 *   <li>{@code score_thr}: scores must be strictly larger to survive (required except for RPN);
 *   <li>{@code nms}: {@code dict(type='nms', iou_threshold=..., class_agnostic=False, ...)} as
 *       {@link NmsConfig} reads it; boxes of different classes (levels, for RPN) never suppress each
 *       other unless class_agnostic;
 *   <li>{@code max_per_img}: how many detections survive NMS (required).
 * </ul>
 *
 * <p>Immutable; the record's constructor checks every value, for {@link #of} and {@link #fromConfig}
 * alike.
 *
 * @param nmsPre per level, how many of the highest scores are kept before decoding
 * @param minBboxSize RPN's minimum proposal width and height, finite
 * @param scoreThr the score threshold, finite, if any
 * @param nms the NMS settings, if any
 * @param maxPerImg how many detections survive NMS
 */
public record TestConfig(int nmsPre, @Finite double minBboxSize, OptionalDouble scoreThr, Optional<NmsConfig> nms,
    int maxPerImg) {
  /**
   * The presence checks and {@code score_thr} (an optional) by hand, {@code min_bbox_size}'s range
   * declared on its component ({@link ParamChecks}).
   *
   * @throws IllegalArgumentException if {@code scoreThr} or {@code minBboxSize} is not finite, or an
   *     optional is null
   */
  public TestConfig {
    Preconditions.checkArgument(scoreThr != null, "score_thr must be an OptionalDouble (empty for None); got null");
    Preconditions.checkArgument(nms != null, "nms must be an Optional (empty for None); got null");
    if (scoreThr.isPresent() && !Double.isFinite(scoreThr.getAsDouble())) {
      throw new IllegalArgumentException("score_thr must be finite; got " + scoreThr.getAsDouble());
    }
    ParamChecks.check(TestConfig.class, nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
  }

  /**
   * A test config with per-class NMS.
   *
   * @throws IllegalArgumentException if a threshold is not finite
   */
  public static TestConfig of(int nmsPre, double scoreThr, double nmsIouThreshold, int maxPerImg) {
    return new TestConfig(nmsPre, 0, OptionalDouble.of(scoreThr), Optional.of(NmsConfig.of(nmsIouThreshold)),
        maxPerImg);
  }

  /**
   * A test config with explicit NMS settings and RPN's {@code min_bbox_size}.
   *
   * @param scoreThr score threshold, or null (RPN has none)
   * @param nms NMS settings, or null for none
   * @throws IllegalArgumentException if a number is not finite
   */
  public static TestConfig of(int nmsPre, double minBboxSize, Double scoreThr, NmsConfig nms, int maxPerImg) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr == null ? OptionalDouble.empty() : OptionalDouble.of(scoreThr),
        Optional.ofNullable(nms), maxPerImg);
  }

  /**
   * Reads a {@code test_cfg} dict.
   *
   * @throws ConfigException for a wrong type, an nms type other than 'nms', or an unknown key
   */
  public static TestConfig fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    Config t = c.tracked();
    Config nmsDict = t.getConfigOrNull("nms");
    NmsConfig nms = nmsDict == null ? null : NmsConfig.fromConfig(nmsDict);
    TestConfig cfg = ConfigException.reraisedAt(t, () -> of(t.getInt("nms_pre", -1), t.getDouble("min_bbox_size", 0.0),
        t.isNull("score_thr") ? null : t.getDouble("score_thr"), nms, t.getInt("max_per_img")));
    t.requireAllRead("test_cfg");
    return cfg;
  }

  @Override
  public String toString() {
    return "dict(nms_pre=" + nmsPre + ", min_bbox_size=" + minBboxSize + ", score_thr="
        + (scoreThr.isPresent() ? Double.toString(scoreThr.getAsDouble()) : "None") + ", nms="
        + (nms.isPresent() ? nms.get() : "None") + ", max_per_img=" + maxPerImg + ")";
  }
}
