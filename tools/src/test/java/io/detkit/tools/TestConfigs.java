package io.detkit.tools;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.config.ConfigOverrides;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Shared fixtures: the shipped configs made small, and image files. */
public final class TestConfigs {
  private TestConfigs() {}

  /** A shipped config ({@code tools/configs/<name>}) on a small training set, plus {@code extra} overrides. */
  public static Config small(String config, String... extra) {
    return small(Path.of("configs", config), extra);
  }

  /** A config file made small as {@link #small(String, String...)} does. */
  public static Config small(Path file, String... extra) {
    List<String> options = new ArrayList<>(List.of("data.train.num_images=48", "data.val.num_images=16",
        "data.samples_per_gpu=8", "lr_config.warmup_iters=5", "evaluation.interval=100",
        "checkpoint_config.interval=100"));
    options.addAll(List.of(extra));
    return ConfigOverrides.apply(ConfigLoader.fromFile(file), options);
  }

  /** Writes a black PNG of {@code w x h}, creating folders. */
  public static void png(Path file, int w, int h) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
  }
}
