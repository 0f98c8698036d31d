package io.detkit.tools.train;

import com.google.common.base.Preconditions;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.Heads;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.model.DetectorNet;
import io.detkit.tools.model.OptimizerSpec;
import java.util.List;
import java.util.Set;

/**
 * Everything one config file describes, built and checked: the detkit head (the model's dense
 * head with the detector-level {@code train_cfg} / {@code test_cfg} handed over, as MMDetection's
 * detectors do: {@link Heads#headConfig}), the datasets with their pipelines, the batch size, the epochs and
 * the learning-rate schedule. The network itself is built by {@link #buildNet()}.
 *
 * <p>Top-level keys read: {@code model}, {@code data} ({@code samples_per_gpu},
 * {@code workers_per_gpu}, {@code train}, {@code val}, {@code test}),
 * {@code optimizer}, {@code optimizer_config}, {@code lr_config}, {@code runner}
 * ({@code type='EpochBasedRunner', max_epochs}) or {@code total_epochs}, {@code evaluation}
 * ({@code interval}, {@code metric='bbox'}), {@code checkpoint_config} ({@code interval}),
 * {@code log_config} ({@code interval}), {@code seed}; {@code custom_hooks} is read by
 * {@link Trainer} ({@link Hooks}). Other top-level names (helper variables
 * such as {@code img_norm_cfg}) are ignored, as in MMDetection.
 */
public record Experiment(Config config, long seed, BaseDenseHead head, int batchSize, int maxEpochs,
    int evalInterval, int checkpointInterval, int logInterval) {

  /**
   * The parts as given; {@link #of} is the usual way in, which builds them from a config and names
   * the config key of anything invalid.
   *
   * @param head the head built from the model's dense head ({@code model.bbox_head}, else
   *     {@code model.rpn_head})
   * @throws IllegalArgumentException if {@code config} or {@code head} is null or a count or
   *     interval is not positive
   */
  public Experiment {
    Preconditions.checkArgument(config != null, "config must not be null");
    Preconditions.checkArgument(head != null, "head must not be null");
    requirePositive(batchSize, "batchSize");
    requirePositive(maxEpochs, "maxEpochs");
    requirePositive(evalInterval, "evalInterval");
    requirePositive(checkpointInterval, "checkpointInterval");
    requirePositive(logInterval, "logInterval");
  }

  private static void requirePositive(int v, String name) {
    Preconditions.checkArgument(v > 0, "%s must be > 0; got %s", name, v);
  }

  private static Experiment parse(Config cfg, long seed) {
    BaseDenseHead head = Heads.build(Heads.headConfig(cfg.getConfig("model")).with("seed", seed));
    Config data = cfg.getConfig("data");
    data.requireKeysIn(Set.of("samples_per_gpu", "workers_per_gpu", "train", "val", "test", "persistent_workers"), "data");
    int batchSize = data.getInt("samples_per_gpu", 2);
    if (batchSize <= 0) {
      throw ConfigException.at(data.pathOf("samples_per_gpu"), "must be > 0; got " + batchSize);
    }
    Config runner = cfg.getConfigOrNull("runner");
    int maxEpochs;
    if (runner != null) {
      runner.requireKeysIn(Set.of("type", "max_epochs"), "runner");
      if (!runner.getString("type").equals("EpochBasedRunner")) {
        throw ConfigException.at(runner.pathOf("type"), "only EpochBasedRunner is supported; got '"
            + runner.getString("type") + "'");
      }
      maxEpochs = runner.getInt("max_epochs");
    } else if (cfg.has("total_epochs")) {
      maxEpochs = cfg.getInt("total_epochs");
    } else {
      throw ConfigException.at("runner", "missing: set runner=dict(type='EpochBasedRunner', max_epochs=N)");
    }
    if (maxEpochs <= 0) {
      throw ConfigException.at(runner != null ? runner.pathOf("max_epochs") : "total_epochs", "must be > 0; got "
          + maxEpochs);
    }
    int evalInterval = interval(cfg.getConfigOrNull("evaluation"), "evaluation", Set.of("interval", "metric", "save_best"));
    Config evaluation = cfg.getConfigOrNull("evaluation");
    if (evaluation != null && evaluation.has("metric")) {
      Object m = evaluation.get("metric");
      boolean ok = "bbox".equals(m) || "mAP".equals(m) || (m instanceof List<?> l && l.stream()
          .allMatch(x -> "bbox".equals(x) || "mAP".equals(x)));
      if (!ok) {
        throw ConfigException.at(evaluation.pathOf("metric"), "only 'bbox' (COCO AP) and 'mAP' are computed; got "
            + Config.describe(m));
      }
    }
    int checkpointInterval = interval(cfg.getConfigOrNull("checkpoint_config"), "checkpoint_config", Set.of("interval", "max_keep_ckpts"));
    int logInterval = interval(cfg.getConfigOrNull("log_config"), "log_config", Set.of("interval", "hooks"));
    return new Experiment(cfg, seed, head, batchSize, maxEpochs, evalInterval, checkpointInterval, logInterval);
  }

  private static int interval(Config c, String owner, Set<String> keys) {
    if (c == null) {
      return 1;
    }
    c.requireKeysIn(keys, owner);
    int v = c.getInt("interval", 1);
    if (v <= 0) {
      throw ConfigException.at(c.pathOf("interval"), "must be > 0; got " + v);
    }
    return v;
  }

  /**
   * Builds and checks the parts of {@code cfg} (not the network or the datasets).
   *
   * @param seed the seed of the run ({@code --seed}, else the config's {@code seed}, else 0)
   * @throws ConfigException naming the key for anything missing, unknown or invalid
   */
  public static Experiment of(Config cfg, long seed) {
    return parse(cfg, seed);
  }

  /** The seed a config asks for: its top-level {@code seed}, else 0. */
  public static long configSeed(Config cfg) {
    return cfg.isNull("seed") ? 0 : cfg.getLong("seed");
  }

  /**
   * The head as an {@link AnchorHead}, for the tools that draw anchors ({@code show-targets}).
   *
   * @throws ConfigException naming {@code model.bbox_head.type} if the head is anchor-free
   */
  public AnchorHead anchorHead() {
    if (!(head instanceof AnchorHead a)) {
      throw ConfigException.at(Heads.headConfig(config.getConfig("model")).pathOf("type"), head.type() + " has no anchors; this command needs an "
          + "anchor-based head");
    }
    return a;
  }

  /**
   * Whether the built-in hook configured by top-level {@code key} is wanted: false only when the
   * config sets it to None, as mmcv leaves out the checkpoint hook for {@code checkpoint_config=None}
   * and the loggers for {@code log_config=None} (so that a {@code custom_hooks} entry can replace
   * them); absent means the defaults.
   */
  public boolean wantsHook(String key) {
    return !(config.has(key) && config.isNull(key));
  }

  /** The dataset and pipeline of {@code data.<split>} ("train", "val" or "test"). */
  public Datasets.Built dataset(String split) {
    return Datasets.build(config.getConfig("data").getConfig(split));
  }

  /** The learning-rate schedule ({@code optimizer.lr} with {@code lr_config}). */
  public LrSchedule schedule() {
    return LrSchedule.fromConfig(config.getConfigOrNull("lr_config"), config.getConfig("optimizer").getDouble("lr"),
        maxEpochs);
  }

  /** The optimizer with {@link #schedule()}. */
  public OptimizerSpec optimizer() {
    return Optimizers.fromConfig(config.getConfig("optimizer"), config.getConfigOrNull("optimizer_config"), schedule());
  }

  /** A freshly initialised network for the head. */
  public DetectorNet buildNet() {
    return DetectorNet.build(config.getConfig("model"), head, optimizer(), seed);
  }
}
