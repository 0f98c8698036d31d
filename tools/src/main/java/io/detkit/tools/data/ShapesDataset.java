package io.detkit.tools.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A synthetic detection dataset generated from a seed, needing no download: rectangles, ellipses
 * and triangles (classes 0, 1, 2) of random size, colour and position on a noisy background, 1 to
 * 5 objects an image, overlapping partly at most.
 *
 * <p>Image {@code i} depends only on {@code (seed, i)}, so any index can be regenerated alone and
 * the train and validation splits (different seeds) never share an image. Boxes are the exact
 * pixel extents of the drawn shapes.
 *
 * <p>Because an image depends only on its index, each one is drawn once and kept (its packed
 * pixels, boxes and labels) when the whole split fits in {@link #CACHE_BYTES}: later epochs copy
 * it instead of drawing it and its noise again. Thread-safe: {@link #load} and {@link #raw} may be
 * called from several threads (two threads that miss the cache at once both draw the same image).
 */
public final class ShapesDataset extends CustomDataset {
  /** Class names, indexed by label. */
  public static final List<String> CLASSES = List.of("rectangle", "ellipse", "triangle");
  /** Largest IoU allowed between two objects of one image (partial overlap only). */
  static final double MAX_OVERLAP = 0.3;
  /** Largest split (pixels at 4 bytes each) whose drawn images are kept in memory. */
  static final long CACHE_BYTES = 256L << 20;

  /**
   * The generator's parameters, validated once here ({@code data.*.}'s keys in parentheses).
   *
   * @param size number of images ({@code num_images}, >= 0)
   * @param imageSize square side in pixels ({@code image_size}, >= 16)
   * @param minObjects fewest objects an image ({@code min_objects}, at least 1)
   * @param maxObjects most objects an image ({@code max_objects})
   * @param minSide smallest object side in pixels ({@code min_side}, at least 4)
   * @param maxSide largest object side in pixels ({@code max_side}, at most {@code imageSize})
   * @param noise standard deviation of the additive pixel noise, in [0, 1] intensity units
   * @param seed the split's seed
   * @throws IllegalArgumentException naming the parameter whose value is out of range
   */
  public record Settings(int size, int imageSize, int minObjects, int maxObjects, int minSide, int maxSide,
      double noise, long seed) {
    public Settings {
      checkArgument(size >= 0, "size must be >= 0; got " + size);
      checkArgument(imageSize >= 16, "image_size must be >= 16; got " + imageSize);
      checkArgument(minObjects >= 1 && maxObjects >= minObjects,
          "need 1 <= min_objects <= max_objects; got " + minObjects + ", " + maxObjects);
      checkArgument(minSide >= 4 && maxSide >= minSide && maxSide <= imageSize,
          "need 4 <= min_side <= max_side <= image_size; got " + minSide + ", " + maxSide + ", " + imageSize);
      checkArgument(noise >= 0 && noise <= 1, "noise must be in [0, 1]; got " + noise);
    }
  }

  private final Settings settings;
  /** The drawn images by index, filled on first use; null when the split is too large to keep. */
  private final AtomicReferenceArray<Drawn> cache;

  /** A dataset of {@code settings}. */
  public ShapesDataset(Settings settings) {
    this(settings, CACHE_BYTES);
  }

  /** A dataset of {@code settings} that keeps its drawn images when they fit in {@code cacheBytes}. */
  ShapesDataset(Settings settings, long cacheBytes) {
    super(Objects.requireNonNull(settings, "settings").size(), CLASSES);
    this.settings = settings;
    long bytes = 4L * settings.size() * settings.imageSize() * settings.imageSize();
    this.cache = bytes <= cacheBytes ? new AtomicReferenceArray<>(settings.size()) : null;
  }

  /**
   * The dataset of {@link Settings#Settings new Settings(...)} with these values.
   *
   * @throws IllegalArgumentException naming the parameter whose value is out of range
   */
  public ShapesDataset(int size, int imageSize, int minObjects, int maxObjects, int minSide, int maxSide,
      double noise, long seed) {
    this(new Settings(size, imageSize, minObjects, maxObjects, minSide, maxSide, noise, seed));
  }

  /** The generator's parameters. */
  public Settings settings() {
    return settings;
  }

  @Override
  protected RawSample loadImage(int index) {
    Raw r = raw(index);
    return new RawSample("shapes_" + settings.seed() + "_" + index, r.image(), r.boxes(), r.labels(), new float[0]);
  }

  public int imageSize() {
    return settings.imageSize();
  }

  /** The drawn image and its annotations, before normalization. */
  public record Raw(BufferedImage image, float[] boxes, int[] labels) {}

  /** A drawn image as kept: packed 0xRRGGBB pixels, boxes, labels; never handed out (copies are). */
  private record Drawn(int[] rgb, float[] boxes, int[] labels) {}

  /**
   * Image {@code index}: a new image and new arrays on every call (the caller may change them).
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
   */
  public Raw raw(int index) {
    DetectionDataset.checkIndex(index, settings.size());
    Drawn d = cache == null ? null : cache.get(index);
    if (d == null) {
      d = generate(index);
      if (cache != null) {
        cache.set(index, d);
      }
    }
    return new Raw(Pixels.copyOf(d.rgb(), settings.imageSize(), settings.imageSize()), d.boxes().clone(),
        d.labels().clone());
  }

  private Drawn generate(int index) {
    SplittableRandom rnd = new SplittableRandom(
        settings.seed() * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 1);
    BufferedImage img = Pixels.newImage(settings.imageSize(), settings.imageSize());
    Graphics2D g = img.createGraphics();
    int bg = 20 + rnd.nextInt(60);
    g.setColor(new Color(bg, bg, bg));
    g.fillRect(0, 0, settings.imageSize(), settings.imageSize());
    int count = settings.minObjects() + rnd.nextInt(settings.maxObjects() - settings.minObjects() + 1);
    List<int[]> placed = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      for (int attempt = 0; attempt < 30; attempt++) {
        int w = settings.minSide() + rnd.nextInt(settings.maxSide() - settings.minSide() + 1);
        int h = settings.minSide() + rnd.nextInt(settings.maxSide() - settings.minSide() + 1);
        int x1 = rnd.nextInt(settings.imageSize() - w + 1);
        int y1 = rnd.nextInt(settings.imageSize() - h + 1);
        int[] box = {x1, y1, x1 + w, y1 + h};
        if (overlapsTooMuch(box, placed)) {
          continue;
        }
        int label = rnd.nextInt(CLASSES.size());
        g.setColor(Color.getHSBColor((float) rnd.nextDouble(), 0.5f + 0.5f * (float) rnd.nextDouble(),
            0.7f + 0.3f * (float) rnd.nextDouble()));
        draw(g, label, box, rnd);
        placed.add(box);
        labels.add(label);
        break;
      }
    }
    g.dispose();
    int[] rgb = Pixels.data(img);
    addNoise(rgb, rnd);
    float[] boxes = new float[4 * placed.size()];
    int[] labelArray = new int[placed.size()];
    for (int k = 0; k < placed.size(); k++) {
      for (int j = 0; j < 4; j++) {
        boxes[4 * k + j] = placed.get(k)[j];
      }
      labelArray[k] = labels.get(k);
    }
    return new Drawn(rgb, boxes, labelArray);
  }

  private static boolean overlapsTooMuch(int[] box, List<int[]> placed) {
    for (int[] p : placed) {
      double w = Math.max(0, Math.min(box[2], p[2]) - Math.max(box[0], p[0]));
      double h = Math.max(0, Math.min(box[3], p[3]) - Math.max(box[1], p[1]));
      double inter = w * h;
      double union = (box[2] - box[0]) * (double) (box[3] - box[1]) + (p[2] - p[0]) * (double) (p[3] - p[1]) - inter;
      if (inter / union > MAX_OVERLAP) {
        return true;
      }
    }
    return false;
  }

  private static void draw(Graphics2D g, int label, int[] b, SplittableRandom rnd) {
    int w = b[2] - b[0];
    int h = b[3] - b[1];
    switch (label) {
      case 0 -> g.fillRect(b[0], b[1], w, h);
      case 1 -> g.fillOval(b[0], b[1], w, h);
      default -> {
        // Apex anywhere along the top edge, base along the bottom edge: the box is the triangle's extent.
        int apex = b[0] + rnd.nextInt(w + 1);
        g.fillPolygon(new Polygon(new int[] {b[0], b[2], apex}, new int[] {b[3], b[3], b[1]}, 3));
      }
    }
  }

  /** Adds noise to packed pixels in row-major order, red, green, blue: one draw sequence per image. */
  private void addNoise(int[] rgb, SplittableRandom rnd) {
    if (settings.noise() == 0) {
      return;
    }
    for (int i = 0; i < rgb.length; i++) {
      int p = rgb[i];
      int r = clamp(((p >> 16) & 0xff) + (int) Math.round(gaussian(rnd) * settings.noise() * 255));
      int gr = clamp(((p >> 8) & 0xff) + (int) Math.round(gaussian(rnd) * settings.noise() * 255));
      int bl = clamp((p & 0xff) + (int) Math.round(gaussian(rnd) * settings.noise() * 255));
      rgb[i] = (r << 16) | (gr << 8) | bl;
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box-Muller; SplittableRandom has no nextGaussian of its own on Java 17.
    double u = 1 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
