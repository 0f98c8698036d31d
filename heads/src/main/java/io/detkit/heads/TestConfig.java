package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
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
 * <p>Immutable.
 */
public final class TestConfig {
  private final int nmsPre;
  private final double minBboxSize;
  private final Double scoreThr;
  private final NmsConfig nms;
  private final int maxPerImg;

  private TestConfig(int nmsPre, double minBboxSize, Double scoreThr, NmsConfig nms, int maxPerImg) {
    if (scoreThr != null && !Double.isFinite(scoreThr)) {
      throw new IllegalArgumentException("score_thr must be finite; got " + scoreThr);
    }
    if (!Double.isFinite(minBboxSize)) {
      throw new IllegalArgumentException("min_bbox_size must be finite; got " + minBboxSize);
    }
    this.nmsPre = nmsPre;
    this.minBboxSize = minBboxSize;
    this.scoreThr = scoreThr;
    this.nms = nms;
    this.maxPerImg = maxPerImg;
  }

  /**
   * A test config with per-class NMS.
   *
   * @throws IllegalArgumentException if a threshold is not finite
   */
  public static TestConfig of(int nmsPre, double scoreThr, double nmsIouThreshold, int maxPerImg) {
    return new TestConfig(nmsPre, 0, scoreThr, NmsConfig.of(nmsIouThreshold), maxPerImg);
  }

  /**
   * A test config with explicit NMS settings and RPN's {@code min_bbox_size}.
   *
   * @param scoreThr score threshold, or null (RPN has none)
   * @param nms NMS settings, or null for none
   * @throws IllegalArgumentException if a number is not finite
   */
  public static TestConfig of(int nmsPre, double minBboxSize, Double scoreThr, NmsConfig nms, int maxPerImg) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
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
    TestConfig cfg;
    try {
      cfg = new TestConfig(t.getInt("nms_pre", -1), t.getDouble("min_bbox_size", 0.0),
          t.isNull("score_thr") ? null : t.getDouble("score_thr"), nms, t.getInt("max_per_img"));
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
    TrainConfig.rejectUnread(t, "test_cfg");
    return cfg;
  }

  /** {@code nms_pre}. */
  public int nmsPre() {
    return nmsPre;
  }

  /** {@code min_bbox_size} (RPN only). */
  public double minBboxSize() {
    return minBboxSize;
  }

  /** {@code score_thr}, if set. */
  public OptionalDouble scoreThr() {
    return scoreThr == null ? OptionalDouble.empty() : OptionalDouble.of(scoreThr);
  }

  /** The {@code nms} settings, if given. */
  public Optional<NmsConfig> nms() {
    return Optional.ofNullable(nms);
  }

  /** {@code max_per_img}. */
  public int maxPerImg() {
    return maxPerImg;
  }

  /** A copy with another {@code nms_pre}. */
  public TestConfig withNmsPre(int nmsPre) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
  }

  /** A copy with another {@code min_bbox_size}. */
  public TestConfig withMinBboxSize(double minBboxSize) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
  }

  /** A copy with another {@code score_thr} (null for none). */
  public TestConfig withScoreThr(Double scoreThr) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
  }

  /** A copy with other NMS settings (null for none). */
  public TestConfig withNms(NmsConfig nms) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
  }

  /** A copy with another {@code max_per_img}. */
  public TestConfig withMaxPerImg(int maxPerImg) {
    return new TestConfig(nmsPre, minBboxSize, scoreThr, nms, maxPerImg);
  }

  @Override
  public String toString() {
    return "dict(nms_pre=" + nmsPre + ", min_bbox_size=" + minBboxSize + ", score_thr="
        + (scoreThr == null ? "None" : scoreThr) + ", nms="
        + (nms == null ? "None" : nms)
        + ", max_per_img=" + maxPerImg + ")";
  }
}
