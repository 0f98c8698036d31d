package io.detkit.tools.data;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

/**
 * The pipeline's transform types by config name ({@link #REGISTRY}): the image and box operations
 * {@code RandomFlip}, {@code Normalize} and {@code Pad} (with {@link Resize} in its own file), and
 * the steps accepted for compatibility only. {@link Pipeline} documents what each one does.
 */
final class Transforms {
  private Transforms() {}

  /**
   * The step of a type accepted for compatibility only (its work is done elsewhere: the dataset
   * loads images and annotations, batching formats them).
   */
  private static final Transform ACCEPTED = (s, random) -> { };

  /**
   * The transform types a pipeline dict may name (MultiScaleFlipAug, which wraps others, is read by
   * {@link Pipeline} itself).
   */
  static final Registry<Transform> REGISTRY = new Registry<Transform>("pipeline transform")
      .register("LoadImageFromFile", c -> {
        c.accept("to_float32", "color_type", "file_client_args", "channel_order");
        return ACCEPTED;
      })
      .register("LoadAnnotations", c -> {
        if (!c.getBoolean("with_bbox", true)) {
          throw ConfigException.at(c.pathOf("with_bbox"), "detection needs with_bbox=True");
        }
        c.accept("with_label", "with_mask", "with_seg", "poly2mask", "file_client_args", "denorm_bbox");
        return ACCEPTED;
      })
      .register("Resize", Resize::fromConfig)
      .register("RandomFlip", Transforms::flipFromConfig)
      .register("Normalize", Transforms::normalizeFromConfig)
      .register("Pad", Transforms::padFromConfig)
      .register("DefaultFormatBundle", c -> ACCEPTED)
      .register("ImageToTensor", c -> {
        c.accept("keys");
        return ACCEPTED;
      })
      .register("Collect", c -> {
        List<Object> keys = c.getList("keys");
        if (!keys.contains("img")) {
          throw ConfigException.at(c.pathOf("keys"), "must include 'img'; got " + Config.describe(keys));
        }
        c.accept("meta_keys");
        return ACCEPTED;
      });

  private static Transform flipFromConfig(Config c) {
    Object ratio = c.get("flip_ratio");
    double p = ratio == null ? 0 : c.getDouble("flip_ratio");
    if (p < 0 || p > 1) {
      throw ConfigException.at(c.pathOf("flip_ratio"), "must be in [0, 1]; got " + p);
    }
    String dir = c.getString("direction", "horizontal");
    if (!dir.equals("horizontal")) {
      throw ConfigException.at(c.pathOf("direction"), "only 'horizontal' flips are supported; got '" + dir + "'");
    }
    return (s, random) -> {
      // Draw even when p is 0 or 1 so that the random stream does not depend on the ratio.
      boolean flip = random.nextDouble() < p;
      if (!flip) {
        return;
      }
      if (s.chw != null) {
        flipChw(s.chw, s.padShape == null ? s.h : s.padShape[0], s.padShape == null ? s.w : s.padShape[1], s.w);
      } else {
        s.image = Pixels.flipHorizontal(s.image);
      }
      flipBoxes(s.boxes, s.w);
      flipBoxes(s.ignore, s.w);
      s.flip = true;
    };
  }

  private static void flipChw(float[] chw, int ph, int pw, int w) {
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < ph; y++) {
        int row = (c * ph + y) * pw;
        for (int x = 0; x < w / 2; x++) {
          float t = chw[row + x];
          chw[row + x] = chw[row + w - 1 - x];
          chw[row + w - 1 - x] = t;
        }
      }
    }
  }

  private static void flipBoxes(float[] b, int w) {
    for (int i = 0; i < b.length; i += 4) {
      float x1 = b[i];
      b[i] = w - b[i + 2];
      b[i + 2] = w - x1;
    }
  }

  private static Transform normalizeFromConfig(Config c) {
    double[] mean = c.getDoubleArray("mean");
    double[] std = c.getDoubleArray("std");
    if (mean.length != 3 || std.length != 3) {
      throw ConfigException.at(c.pathOf("mean"), "mean and std must have 3 values (one per channel); got "
          + mean.length + " and " + std.length);
    }
    for (double v : std) {
      if (!(v > 0)) {
        throw ConfigException.at(c.pathOf("std"), "must be positive; got " + Arrays.toString(std));
      }
    }
    boolean toRgb = c.getBoolean("to_rgb", true);
    return (s, random) -> {
      if (s.chw != null) {
        throw new IllegalArgumentException("Normalize appears twice in the pipeline");
      }
      if (s.padShape != null) {
        throw new IllegalArgumentException("Normalize must come before Pad in the pipeline");
      }
      s.chw = toChw(s.image, s.h, s.w, mean, std, toRgb);
      s.rgbOrder = toRgb;
    };
  }

  /** The image as CHW floats, {@code (value - mean) / std}, in RGB or BGR channel order. */
  static float[] toChw(BufferedImage img, int h, int w, double[] mean, double[] std, boolean rgb) {
    int[] px = Pixels.data(img);
    // One table per output channel: the same expression as per pixel, evaluated once per value.
    float[][] table = new float[3][256];
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) {
        table[c][v] = (float) ((v - mean[c]) / std[c]);
      }
    }
    float[] first = table[0];
    float[] second = table[1];
    float[] third = table[2];
    int firstShift = rgb ? 16 : 0;
    int thirdShift = rgb ? 0 : 16;
    float[] out = new float[3 * h * w];
    int plane = h * w;
    for (int i = 0; i < plane; i++) {
      int p = px[i];
      out[i] = first[(p >> firstShift) & 0xff];
      out[plane + i] = second[(p >> 8) & 0xff];
      out[2 * plane + i] = third[(p >> thirdShift) & 0xff];
    }
    return out;
  }

  private static Transform padFromConfig(Config c) {
    int divisor = c.isNull("size_divisor") ? 0 : c.getInt("size_divisor");
    int[] size = c.isNull("size") ? null : c.getIntArray("size");
    if ((divisor > 0) == (size != null)) {
      throw ConfigException.at(c.path(), "Pad needs exactly one of size_divisor and size");
    }
    if (size != null && (size.length != 2 || size[0] <= 0 || size[1] <= 0)) {
      throw ConfigException.at(c.pathOf("size"), "must be (h, w) with positive sizes; got " + Arrays.toString(size));
    }
    if (divisor < 0) {
      throw ConfigException.at(c.pathOf("size_divisor"), "must be > 0; got " + divisor);
    }
    double padVal;
    Object pv = c.get("pad_val");
    if (pv instanceof Config d) {
      padVal = d.getDouble("img", 0);
      d.accept("masks", "seg");
    } else {
      padVal = pv == null ? 0 : c.getDouble("pad_val");
    }
    return (s, random) -> {
      if (s.padShape != null) {
        throw new IllegalArgumentException("Pad appears twice in the pipeline");
      }
      int ph = size != null ? size[0] : (s.h + divisor - 1) / divisor * divisor;
      int pw = size != null ? size[1] : (s.w + divisor - 1) / divisor * divisor;
      if (ph < s.h || pw < s.w) {
        throw new IllegalArgumentException("Pad size " + ph + "x" + pw + " is smaller than the image " + s.h + "x"
            + s.w);
      }
      if (s.chw == null) {
        s.chw = toChw(s.image, s.h, s.w, new double[] {0, 0, 0}, new double[] {1, 1, 1}, true);
      }
      s.chw = pad(s.chw, s.h, s.w, ph, pw, (float) padVal);
      s.padShape = new int[] {ph, pw};
    };
  }

  /** Copies a CHW image of h x w into the top-left of a ph x pw canvas filled with {@code value}. */
  static float[] pad(float[] chw, int h, int w, int ph, int pw, float value) {
    if (ph == h && pw == w) {
      return chw;
    }
    float[] out = new float[3 * ph * pw];
    Arrays.fill(out, value);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(chw, (c * h + y) * w, out, (c * ph + y) * pw, w);
      }
    }
    return out;
  }
}
