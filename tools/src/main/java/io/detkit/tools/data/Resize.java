package io.detkit.tools.data;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pipeline's {@code Resize(img_scale=(w, h), keep_ratio=True)} (see {@link Pipeline}); a
 * Resize without {@code img_scale} takes the scale of an enclosing {@code MultiScaleFlipAug}.
 * Immutable.
 */
final class Resize implements Transform {
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
  public void apply(Transform.State s, SplittableRandom random) {
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
