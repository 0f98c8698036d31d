package io.detkit.heads;

import com.google.common.base.Preconditions;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Finite;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import java.util.Optional;

/**
 * A dense head's {@code train_cfg}: {@code dict(assigner=..., sampler=..., allowed_border=...,
 * pos_weight=..., debug=...)}.
 *
 * <ul>
 *   <li>{@code assigner}: config of the assigner (required);
 *   <li>{@code sampler}: config of the sampler; used only by heads that sample (a classification
 *       loss other than FocalLoss, GHMC and QualityFocalLoss), otherwise the PseudoSampler runs;
 *   <li>{@code allowed_border} (default -1): anchors reaching more than this many pixels outside
 *       {@code img_shape} are left out of training; negative keeps every valid anchor;
 *   <li>{@code pos_weight} (default -1): classification weight of positives; values {@code <= 0}
 *       mean 1;
 *   <li>{@code debug} (default False): accepted for compatibility, has no effect.
 * </ul>
 *
 * <p>Immutable; the record's constructor checks every value, for {@link #of} and {@link #fromConfig}
 * alike.
 *
 * @param assigner the assigner's config dict
 * @param sampler the sampler's config dict, if any
 * @param allowedBorder pixels an anchor may reach outside the image; negative disables the check
 * @param posWeight weight of positives in the classification loss; {@code <= 0} means 1
 * @param debug MMDetection's {@code debug}, accepted and ignored
 */
public record TrainConfig(Config assigner, Optional<Config> sampler, int allowedBorder, @Finite double posWeight,
    boolean debug) {
  /**
   * The presence checks, then {@code pos_weight}'s range declared on its component
   * ({@link ParamChecks}).
   *
   * @throws IllegalArgumentException if {@code assigner} or {@code sampler} is null or
   *     {@code posWeight} is not finite
   */
  public TrainConfig {
    Preconditions.checkArgument(assigner != null, "assigner must be a config dict; got null");
    Preconditions.checkArgument(sampler != null, "sampler must be an Optional (empty for None); got null");
    ParamChecks.check(TrainConfig.class, assigner, sampler, allowedBorder, posWeight, debug);
  }

  /**
   * A train config.
   *
   * @param assigner the assigner's config dict
   * @param sampler the sampler's config dict, or null
   * @param allowedBorder pixels an anchor may reach outside the image; negative disables the check
   * @param posWeight weight of positives in the classification loss; {@code <= 0} means 1
   * @throws IllegalArgumentException if {@code assigner} is null or {@code posWeight} not finite
   */
  public static TrainConfig of(Config assigner, Config sampler, int allowedBorder, double posWeight) {
    return new TrainConfig(assigner, Optional.ofNullable(sampler), allowedBorder, posWeight, false);
  }

  /**
   * Reads a {@code train_cfg} dict.
   *
   * @throws ConfigException for a missing assigner, a wrong type or an unknown key (listing the
   *     accepted ones)
   */
  public static TrainConfig fromConfig(Config c) {
    return fromConfig(c, List.of());
  }

  /**
   * Reads a {@code train_cfg} dict in which a head also accepts {@code headKeys} (TOOD's
   * {@code initial_epoch}, {@code initial_assigner}, {@code alpha}, {@code beta}): those are left for
   * the head's builder to read from the dict ({@link HeadBuilder#acceptTrainCfgKeys}); any other
   * unknown key is refused.
   *
   * @throws ConfigException for a missing assigner, a wrong type or an unknown key (listing the
   *     accepted ones)
   */
  public static TrainConfig fromConfig(Config c, List<String> headKeys) {
    Tensors.requireNonNull(c, "config");
    Tensors.requireNonNull(headKeys, "headKeys");
    Config t = c.tracked();
    t.accept(headKeys.toArray(String[]::new));
    TrainConfig cfg = ConfigException.reraisedAt(t, () -> new TrainConfig(t.getConfig("assigner"),
        Optional.ofNullable(t.getConfigOrNull("sampler")), t.getInt("allowed_border", -1), t.getDouble("pos_weight", -1.0),
        t.getBoolean("debug", false)));
    t.requireAllRead("train_cfg");
    return cfg;
  }

  @Override
  public String toString() {
    return "dict(assigner=" + assigner + ", sampler=" + (sampler.isPresent() ? sampler.get() : "None")
        + ", allowed_border=" + allowedBorder + ", pos_weight=" + posWeight + ", debug=" + (debug ? "True" : "False")
        + ")";
  }
}
