package io.detkit.tools.train;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * mmcv's learning-rate policies as a DL4J schedule, from {@code lr_config}:
 *
 * <ul>
 *   <li>{@code policy='step', step=[e1, e2, ...], gamma=0.1}: the base rate times
 *       {@code gamma^k}, k the number of milestones at or before the current (0-based) epoch;
 *   <li>{@code policy='CosineAnnealing', min_lr=... | min_lr_ratio=...}: per epoch,
 *       {@code min + (base - min) * (1 + cos(pi * epoch / max_epochs)) / 2};
 *   <li>{@code policy='fixed'}: the base rate;
 * </ul>
 * with optional warm-up over the first {@code warmup_iters} iterations ({@code warmup='linear'}:
 * rate times {@code 1 - (1 - i / warmup_iters) * (1 - warmup_ratio)}; {@code 'constant'}: times
 * {@code warmup_ratio}; {@code 'exp'}: times {@code warmup_ratio^(1 - i / warmup_iters)}).
 * Immutable.
 */
public final class LrSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  private final double baseLr;
  private final String policy;
  private final int[] steps;
  private final double gamma;
  private final double minLr;
  private final int maxEpochs;
  private final String warmup;
  private final int warmupIters;
  private final double warmupRatio;

  /**
   * @throws IllegalArgumentException for a non-positive base rate, unknown policy or warm-up, or
   *     negative counts
   */
  public LrSchedule(double baseLr, String policy, int[] steps, double gamma, double minLr, int maxEpochs,
      String warmup, int warmupIters, double warmupRatio) {
    if (!(baseLr > 0) || Double.isInfinite(baseLr)) {
      throw new IllegalArgumentException("lr must be positive and finite; got " + baseLr);
    }
    if (!List.of("step", "CosineAnnealing", "fixed").contains(policy)) {
      throw new IllegalArgumentException("policy must be 'step', 'CosineAnnealing' or 'fixed'; got '" + policy + "'");
    }
    if (warmup != null && !List.of("linear", "constant", "exp").contains(warmup)) {
      throw new IllegalArgumentException("warmup must be None, 'linear', 'constant' or 'exp'; got '" + warmup + "'");
    }
    if (warmupIters < 0 || maxEpochs <= 0 || !(warmupRatio > 0 && warmupRatio <= 1)) {
      throw new IllegalArgumentException("need warmup_iters >= 0, max_epochs > 0 and warmup_ratio in (0, 1]; got "
          + warmupIters + ", " + maxEpochs + ", " + warmupRatio);
    }
    this.baseLr = baseLr;
    this.policy = policy;
    this.steps = steps.clone();
    this.gamma = gamma;
    this.minLr = minLr;
    this.maxEpochs = maxEpochs;
    this.warmup = warmup;
    this.warmupIters = warmupIters;
    this.warmupRatio = warmupRatio;
  }

  /**
   * Reads {@code lr_config} for base rate {@code lr} and {@code maxEpochs}; null means fixed.
   *
   * @throws ConfigException naming the key for a bad or unknown value
   */
  public static LrSchedule fromConfig(Config c, double lr, int maxEpochs) {
    if (c == null) {
      return new LrSchedule(lr, "fixed", new int[0], 0.1, 0, maxEpochs, null, 0, 1);
    }
    try {
      String policy = c.getString("policy");
      String p = policy.equalsIgnoreCase("step") ? "step" : policy.equalsIgnoreCase("fixed") ? "fixed" : policy;
      int[] steps = new int[0];
      if (p.equals("step")) {
        Object s = c.get("step");
        steps = s instanceof Number n ? new int[] {n.intValue()} : c.getIntArray("step");
      }
      double gamma = c.getDouble("gamma", 0.1);
      double minLr = 0;
      if (p.equals("CosineAnnealing")) {
        if (c.has("min_lr") == c.has("min_lr_ratio")) {
          throw ConfigException.at(c.path(), "CosineAnnealing needs exactly one of min_lr and min_lr_ratio");
        }
        minLr = c.has("min_lr") ? c.getDouble("min_lr") : lr * c.getDouble("min_lr_ratio");
      }
      if (!c.getBoolean("by_epoch", true)) {
        throw ConfigException.at(c.pathOf("by_epoch"), "only by_epoch=True is supported");
      }
      String warmup = c.isNull("warmup") ? null : c.getString("warmup");
      int warmupIters = c.getInt("warmup_iters", 0);
      double warmupRatio = c.getDouble("warmup_ratio", 0.1);
      c.accept("warmup_by_epoch");
      if (c.getBoolean("warmup_by_epoch", false)) {
        throw ConfigException.at(c.pathOf("warmup_by_epoch"), "only warm-up by iteration is supported");
      }
      c.requireKeysIn(Set.of("policy", "step", "gamma", "min_lr", "min_lr_ratio", "by_epoch", "warmup",
          "warmup_iters", "warmup_ratio", "warmup_by_epoch"), "lr_config");
      return new LrSchedule(lr, p, steps, gamma, minLr, maxEpochs, warmup, warmupIters, warmupRatio);
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  /** The base rate. */
  public double baseLr() {
    return baseLr;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    double lr = switch (policy) {
      case "step" -> {
        int k = 0;
        for (int s : steps) {
          k += epoch >= s ? 1 : 0;
        }
        yield baseLr * Math.pow(gamma, k);
      }
      case "CosineAnnealing" -> minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * epoch / maxEpochs)) / 2;
      default -> baseLr;
    };
    if (warmup == null || iteration >= warmupIters) {
      return lr;
    }
    double progress = iteration / (double) warmupIters;
    return switch (warmup) {
      case "linear" -> lr * (1 - (1 - progress) * (1 - warmupRatio));
      case "constant" -> lr * warmupRatio;
      default -> lr * Math.pow(warmupRatio, 1 - progress);
    };
  }

  @Override
  public ISchedule clone() {
    return new LrSchedule(baseLr, policy, steps, gamma, minLr, maxEpochs, warmup, warmupIters, warmupRatio);
  }

  @Override
  public String toString() {
    return "LrSchedule(" + policy + ", lr=" + baseLr + ", step=" + Arrays.toString(steps) + ", warmup=" + warmup + ")";
  }
}
