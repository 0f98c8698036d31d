package io.detkit.tools.data;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MMDetection's data pipeline for detection: a list of transform dicts applied in order to a
 * {@link RawSample}, giving a {@link DetectionSample}.
 *
 * <ul>
 *   <li>{@code Resize(img_scale=(w, h), keep_ratio=True)}: with {@code keep_ratio} the image is
 *       scaled by {@code min(max(scale) / max(h, w), min(scale) / min(h, w))} to
 *       {@code int(w * f + 0.5) x int(h * f + 0.5)}, else to exactly {@code w x h}; bilinear;
 *       boxes scale with the actual per-axis factors and are clipped to the image;
 *   <li>{@code RandomFlip(flip_ratio=0.5, direction='horizontal')}: box x1 becomes
 *       {@code w - x2}, x2 becomes {@code w - x1};
 *   <li>{@code Normalize(mean, std, to_rgb=True)}: {@code (pixel - mean) / std} per channel, RGB
 *       order (BGR order with {@code to_rgb=False}, as MMDetection's BGR-loaded images keep);
 *   <li>{@code Pad(size_divisor=d)} or {@code Pad(size=(h, w))}: zeros (or {@code pad_val}) at the
 *       bottom and right;
 *   <li>{@code MultiScaleFlipAug(img_scale, flip=False, transforms=[...])}: the inner transforms
 *       with the scale given to their {@code Resize} (single scale, no flip: test-time
 *       augmentation is not supported);
 *   <li>{@code LoadImageFromFile}, {@code LoadAnnotations}, {@code DefaultFormatBundle},
 *       {@code ImageToTensor}, {@code Collect(keys=[...])}: accepted for compatibility; the
 *       dataset loads images and annotations itself and batching formats them.
 * </ul>
 * Immutable; {@link #apply} may be called from several threads.
 */
public final class Pipeline {
  /** One step. */
  interface Transform {
    void apply(State s, SplittableRandom random);
  }

  /** The sample as it moves through the steps. */
  static final class State {
    BufferedImage image;
    float[] chw;
    boolean rgbOrder = true;
    int h;
    int w;
    int[] imgShape;
    int[] padShape;
    double[] scaleFactor = {1, 1, 1, 1};
    boolean flip;
    float[] boxes;
    float[] ignore;
  }

  /** Transform types. */
  static final Registry<Transform> TRANSFORMS = new Registry<Transform>("pipeline transform")
      .register("LoadImageFromFile", c -> {
        c.accept("to_float32", "color_type", "file_client_args", "channel_order");
        return (s, r) -> { };
      })
      .register("LoadAnnotations", c -> {
        if (!c.getBoolean("with_bbox", true)) {
          throw ConfigException.at(c.pathOf("with_bbox"), "detection needs with_bbox=True");
        }
        c.accept("with_label", "with_mask", "with_seg", "poly2mask", "file_client_args", "denorm_bbox");
        return (s, r) -> { };
      })
      .register("Resize", Resize::fromConfig)
      .register("RandomFlip", Pipeline::flipFromConfig)
      .register("Normalize", Pipeline::normalizeFromConfig)
      .register("Pad", Pipeline::padFromConfig)
      .register("DefaultFormatBundle", c -> (s, r) -> { })
      .register("ImageToTensor", c -> {
        c.accept("keys");
        return (s, r) -> { };
      })
      .register("Collect", c -> {
        List<Object> keys = c.getList("keys");
        if (!keys.contains("img")) {
          throw ConfigException.at(c.pathOf("keys"), "must include 'img'; got " + Config.describe(keys));
        }
        c.accept("meta_keys");
        return (s, r) -> { };
      });

  private final List<Transform> steps;

  private Pipeline(List<Transform> steps) {
    this.steps = List.copyOf(steps);
  }

  /**
   * Builds the pipeline from a list of transform dicts ({@code data.train.pipeline}).
   *
   * @param path the dotted path of the list, for messages
   * @throws ConfigException naming the step for an unknown type or parameter, a bad value, or a
   *     Resize without a scale
   */
  public static Pipeline fromConfig(List<Object> list, String path) {
    List<Transform> steps = new ArrayList<>();
    addSteps(steps, list, path, null);
    return new Pipeline(steps);
  }

  private static void addSteps(List<Transform> steps, List<Object> list, String path, int[] scale) {
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Config c)) {
        throw ConfigException.at(path + "[" + i + "]", "expected a transform dict; got " + Config.describe(list.get(i)));
      }
      if ("MultiScaleFlipAug".equals(c.get("type"))) {
        Config t = c.tracked();
        int[] s = t.getIntArray("img_scale", null);
        if (s == null && t.has("scale_factor")) {
          throw ConfigException.at(c.pathOf("scale_factor"), "only img_scale is supported");
        }
        if (t.getBoolean("flip", false)) {
          throw ConfigException.at(c.pathOf("flip"), "test-time flip augmentation is not supported; set flip=False");
        }
        t.accept("flip_direction");
        addSteps(steps, t.getList("transforms"), c.pathOf("transforms"), s);
        List<String> unknown = t.unreadKeys();
        unknown.remove("type");
        if (!unknown.isEmpty()) {
          throw ConfigException.at(c.pathOf(unknown.get(0)), "unknown parameter '" + unknown.get(0)
              + "' for MultiScaleFlipAug; accepted: img_scale, flip, flip_direction, transforms");
        }
        continue;
      }
      Transform t = TRANSFORMS.build(c);
      if (t instanceof Resize r && r.scale == null) {
        if (scale == null) {
          throw ConfigException.at(c.pathOf("img_scale"), "Resize needs img_scale (or a MultiScaleFlipAug around it)");
        }
        t = new Resize(scale, r.keepRatio);
      }
      steps.add(t);
    }
  }

  /**
   * Runs every step on {@code raw}; {@code random} drives random steps (flip).
   *
   * @throws IllegalArgumentException if a step cannot apply (for example Resize after Normalize)
   */
  public DetectionSample apply(RawSample raw, SplittableRandom random) {
    State s = new State();
    s.image = raw.image();
    s.h = raw.image().getHeight();
    s.w = raw.image().getWidth();
    s.imgShape = new int[] {s.h, s.w};
    s.boxes = raw.boxes().clone();
    s.ignore = raw.ignoreBoxes().clone();
    for (Transform t : steps) {
      t.apply(s, random);
    }
    BufferedImage preview = s.image;
    if (s.chw == null) {
      s.chw = toChw(s.image, s.h, s.w, new double[] {0, 0, 0}, new double[] {1, 1, 1}, true);
    }
    if (s.padShape == null) {
      s.padShape = new int[] {s.h, s.w};
    }
    return new DetectionSample(raw.name(), s.chw, s.imgShape.clone(), s.padShape, new int[] {
        raw.image().getHeight(), raw.image().getWidth()}, s.scaleFactor, s.flip, s.boxes, raw.labels().clone(),
        s.ignore, raw.boxes().clone(), preview);
  }

  // ---------------------------------------------------------------------------------------------

  static final class Resize implements Transform {
    final int[] scale;
    final boolean keepRatio;

    Resize(int[] scale, boolean keepRatio) {
      this.scale = scale;
      this.keepRatio = keepRatio;
    }

    static Resize fromConfig(Config c) {
      int[] scale = null;
      if (c.has("img_scale") && !c.isNull("img_scale")) {
        Object v = c.get("img_scale");
        if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof List<?>) {
          if (l.size() != 1) {
            throw ConfigException.at(c.pathOf("img_scale"), "multi-scale training is not supported; give one scale");
          }
          scale = toInts(c, (List<?>) l.get(0));
        } else {
          scale = c.getIntArray("img_scale");
        }
        if (scale.length != 2 || scale[0] <= 0 || scale[1] <= 0) {
          throw ConfigException.at(c.pathOf("img_scale"), "must be (w, h) with positive sizes; got "
              + Config.describe(v));
        }
      }
      if (c.has("ratio_range") && !c.isNull("ratio_range")) {
        throw ConfigException.at(c.pathOf("ratio_range"), "random rescaling is not supported");
      }
      c.accept("multiscale_mode", "bbox_clip_border", "backend", "override");
      return new Resize(scale, c.getBoolean("keep_ratio", true));
    }

    private static int[] toInts(Config c, List<?> l) {
      int[] out = new int[l.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(l.get(i) instanceof Long v)) {
          throw ConfigException.at(c.pathOf("img_scale"), "expected integer sizes; got " + Config.describe(l));
        }
        out[i] = (int) (long) v;
      }
      return out;
    }

    @Override
    public void apply(State s, SplittableRandom random) {
      if (s.chw != null || s.padShape != null) {
        throw new IllegalArgumentException("Resize must come before Normalize and Pad in the pipeline");
      }
      int newW;
      int newH;
      if (keepRatio) {
        double f = Math.min(Math.max(scale[0], scale[1]) / (double) Math.max(s.h, s.w),
            Math.min(scale[0], scale[1]) / (double) Math.min(s.h, s.w));
        newW = (int) (s.w * f + 0.5);
        newH = (int) (s.h * f + 0.5);
      } else {
        newW = scale[0];
        newH = scale[1];
      }
      double ws = newW / (double) s.w;
      double hs = newH / (double) s.h;
      if (newW != s.w || newH != s.h) {
        BufferedImage out = new BufferedImage(newW, newH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(s.image, 0, 0, newW, newH, null);
        g.dispose();
        s.image = out;
      }
      scaleBoxes(s.boxes, ws, hs, newW, newH);
      scaleBoxes(s.ignore, ws, hs, newW, newH);
      s.w = newW;
      s.h = newH;
      s.imgShape = new int[] {newH, newW};
      s.scaleFactor = new double[] {ws, hs, ws, hs};
    }

    private static void scaleBoxes(float[] b, double ws, double hs, int w, int h) {
      for (int i = 0; i < b.length; i += 4) {
        b[i] = (float) Math.min(Math.max(b[i] * ws, 0), w);
        b[i + 1] = (float) Math.min(Math.max(b[i + 1] * hs, 0), h);
        b[i + 2] = (float) Math.min(Math.max(b[i + 2] * ws, 0), w);
        b[i + 3] = (float) Math.min(Math.max(b[i + 3] * hs, 0), h);
      }
    }
  }

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
        BufferedImage out = new BufferedImage(s.w, s.h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < s.h; y++) {
          for (int x = 0; x < s.w; x++) {
            out.setRGB(s.w - 1 - x, y, s.image.getRGB(x, y));
          }
        }
        s.image = out;
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
    int[] px = img.getRGB(0, 0, w, h, null, 0, w);
    float[] out = new float[3 * h * w];
    int plane = h * w;
    for (int i = 0; i < plane; i++) {
      int p = px[i];
      int r = (p >> 16) & 0xff;
      int g = (p >> 8) & 0xff;
      int b = p & 0xff;
      int c0 = rgb ? r : b;
      int c2 = rgb ? b : r;
      out[i] = (float) ((c0 - mean[0]) / std[0]);
      out[plane + i] = (float) ((g - mean[1]) / std[1]);
      out[2 * plane + i] = (float) ((c2 - mean[2]) / std[2]);
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
