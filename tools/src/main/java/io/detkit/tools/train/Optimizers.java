package io.detkit.tools.train;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.tools.model.OptimizerSpec;
import java.util.Set;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Reads MMDetection's {@code optimizer} and {@code optimizer_config} dicts into an
 * {@link OptimizerSpec}:
 *
 * <ul>
 *   <li>{@code dict(type='SGD', lr, momentum=0, weight_decay=0, nesterov=False)}: DL4J
 *       {@code Sgd} without momentum; with momentum DL4J only offers Nesterov momentum
 *       ({@code Nesterovs}), used for either setting of {@code nesterov};
 *   <li>{@code dict(type='Adam', lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)}: weight
 *       decay added to the gradient, as PyTorch's Adam;
 *   <li>{@code dict(type='AdamW', lr, betas, eps, weight_decay=0.01)}: decoupled weight decay;
 * </ul>
 * and {@code optimizer_config=dict(grad_clip=dict(max_norm=35, norm_type=2))} (global L2 norm).
 */
public final class Optimizers {
  private Optimizers() {}

  /**
   * Builds the spec with {@code schedule} driving the learning rate.
   *
   * @throws ConfigException naming the key for an unknown type or key or a bad value
   */
  public static OptimizerSpec fromConfig(Config optimizer, Config optimizerConfig, LrSchedule schedule) {
    String type = optimizer.getString("type");
    double wd = optimizer.getDouble("weight_decay", type.equals("AdamW") ? 0.01 : 0);
    if (wd < 0) {
      throw ConfigException.at(optimizer.pathOf("weight_decay"), "must be >= 0; got " + wd);
    }
    Set<String> known;
    IUpdater updater;
    double l2 = 0;
    double decoupled = 0;
    switch (type) {
      case "SGD" -> {
        known = Set.of("type", "lr", "momentum", "weight_decay", "nesterov", "dampening");
        double momentum = optimizer.getDouble("momentum", 0);
        optimizer.getBoolean("nesterov", false);
        if (optimizer.getDouble("dampening", 0) != 0) {
          throw ConfigException.at(optimizer.pathOf("dampening"), "only dampening=0 is supported");
        }
        updater = momentum == 0 ? new Sgd(schedule) : new Nesterovs(schedule, momentum);
        l2 = wd;
      }
      case "Adam", "AdamW" -> {
        known = Set.of("type", "lr", "betas", "eps", "weight_decay", "amsgrad");
        double[] betas = optimizer.getDoubleArray("betas", new double[] {0.9, 0.999});
        if (betas.length != 2) {
          throw ConfigException.at(optimizer.pathOf("betas"), "must be (beta1, beta2); got " + betas.length + " values");
        }
        if (optimizer.getBoolean("amsgrad", false)) {
          throw ConfigException.at(optimizer.pathOf("amsgrad"), "amsgrad is not supported");
        }
        Adam adam = new Adam(schedule);
        adam.setBeta1(betas[0]);
        adam.setBeta2(betas[1]);
        adam.setEpsilon(optimizer.getDouble("eps", 1e-8));
        updater = adam;
        if (type.equals("Adam")) {
          l2 = wd;
        } else {
          decoupled = wd;
        }
      }
      default -> throw ConfigException.at(optimizer.pathOf("type"), "unknown optimizer type '" + type
          + "'; supported: SGD, Adam, AdamW");
    }
    optimizer.requireKeysIn(known, "optimizer " + type);
    double maxNorm = 0;
    if (optimizerConfig != null) {
      optimizerConfig.requireKeysIn(Set.of("grad_clip"), "optimizer_config");
      Config clip = optimizerConfig.getConfigOrNull("grad_clip");
      if (clip != null) {
        maxNorm = clip.getDouble("max_norm");
        if (!(maxNorm > 0)) {
          throw ConfigException.at(clip.pathOf("max_norm"), "must be > 0; got " + maxNorm);
        }
        if (clip.getDouble("norm_type", 2) != 2) {
          throw ConfigException.at(clip.pathOf("norm_type"), "only the L2 norm (norm_type=2) is supported");
        }
        clip.requireKeysIn(Set.of("max_norm", "norm_type"), "grad_clip");
      }
    }
    return new OptimizerSpec(updater, l2, decoupled, maxNorm);
  }
}
