package io.detkit.tools.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Saves the network every {@code checkpoint_config.interval} epochs and after the last epoch, as
 * mmcv's {@code CheckpointHook} (priority {@link Priority#NORMAL}): {@code epoch_N.ckpt} in the
 * work directory (a {@link Checkpoint} with the merged config, the parameters and the epoch and
 * iteration) and a copy as {@code latest.ckpt}.
 */
public final class CheckpointHook implements Hook {
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final int interval;
  private final String configText;
  private final String configName;

  /**
   * @param interval in epochs (> 0)
   * @param configText the merged config as Python source, stored in each checkpoint
   * @param configName the config file's name, recorded in the checkpoint's meta data
   */
  public CheckpointHook(int interval, String configText, String configName) {
    if (interval <= 0) {
      throw new IllegalArgumentException("checkpoint interval must be > 0; got " + interval);
    }
    this.interval = interval;
    this.configText = configText;
    this.configName = configName;
  }

  @Override
  public void afterTrainEpoch(Runner runner) {
    if ((runner.epoch() + 1) % interval != 0 && !runner.isLastEpoch()) {
      return;
    }
    try {
      String meta = json.writeValueAsString(json.createObjectNode().put("epoch", runner.epoch() + 1)
          .put("iter", runner.iter()).put("config", configName));
      float[] params = runner.net().params().castTo(DataType.FLOAT).data().asFloat();
      Path file = runner.workDir().resolve("epoch_" + (runner.epoch() + 1) + ".ckpt");
      new Checkpoint(configText, params, meta).write(file);
      Files.copy(file, runner.workDir().resolve("latest.ckpt"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
