package io.detkit.tools.data;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
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
        // Asked of the untracked dict: scale_factor is refused, never read, so it must stay out of
        // the accepted keys an unknown-key message lists.
        if (s == null && c.has("scale_factor")) {
          throw ConfigException.at(c.pathOf("scale_factor"), "only img_scale is supported");
        }
        if (t.getBoolean("flip", false)) {
          throw ConfigException.at(c.pathOf("flip"), "test-time flip augmentation is not supported; set flip=False");
        }
        t.accept("flip_direction");
        addSteps(steps, t.getList("transforms"), c.pathOf("transforms"), s);
        t.accept("type");
        t.requireAllRead("MultiScaleFlipAug");
        continue;
      }
      Transform t = Transforms.REGISTRY.build(c);
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
    Transform.State s = new Transform.State();
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
      s.chw = Transforms.toChw(s.image, s.h, s.w, new double[] {0, 0, 0}, new double[] {1, 1, 1}, true);
    }
    if (s.padShape == null) {
      s.padShape = new int[] {s.h, s.w};
    }
    return new DetectionSample(raw.name(), s.chw, s.imgShape.clone(), s.padShape, new int[] {
        raw.image().getHeight(), raw.image().getWidth()}, s.scaleFactor, s.flip, s.boxes, raw.labels().clone(),
        s.ignore, raw.boxes().clone(), preview);
  }
}
