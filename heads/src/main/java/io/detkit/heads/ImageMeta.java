package io.detkit.heads;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;

/**
 * The meta information of one image that a dense head needs, MMDetection's {@code img_meta} dict.
 *
 * <ul>
 *   <li>{@code img_shape} (h, w[, c]): the resized image inside the padded batch tensor; anchors
 *       are tested against it ({@code allowed_border}) and decoded boxes are clipped to it;
 *   <li>{@code pad_shape} (h, w[, c]): the padded size; an anchor is valid when its feature-map
 *       location falls inside it;
 *   <li>{@code ori_shape} (h, w[, c]): the original image size (informational);
 *   <li>{@code scale_factor} (w, h, w, h): what the image was resized by; {@code rescale=True}
 *       divides detections by it.
 * </ul>
 *
 * <p>An immutable record (the shapes and the factor as Guava immutable arrays). Shapes are in
 * pixels, (h, w) first as in MMDetection. Build one with {@link #of}, {@link #ofSize} or
 * {@link #fromConfig}.
 *
 * @param imgShape (h, w) or (h, w, c)
 * @param padShape (h, w) or (h, w, c)
 * @param oriShape (h, w) or (h, w, c)
 * @param scaleFactor (w, h, w, h)
 */
public record ImageMeta(ImmutableIntArray imgShape, ImmutableIntArray padShape, ImmutableIntArray oriShape,
    ImmutableDoubleArray scaleFactor) {

  /**
   * @throws IllegalArgumentException if a shape has fewer than 2 entries or a negative size, or the
   *     scale factor does not have 4 positive finite entries
   */
  public ImageMeta {
    shape(imgShape, "img_shape");
    shape(padShape, "pad_shape");
    shape(oriShape, "ori_shape");
    if (scaleFactor == null || scaleFactor.length() != 4) {
      throw new IllegalArgumentException("scale_factor must be (w, h, w, h); got " + scaleFactor);
    }
    scale(scaleFactor.toArray());
  }

  /**
   * A meta record.
   *
   * @param imgShape (h, w) or (h, w, c)
   * @param padShape (h, w) or (h, w, c)
   * @param oriShape (h, w) or (h, w, c)
   * @param scaleFactor (w, h, w, h), or a single number used for all four
   * @throws IllegalArgumentException if a shape has fewer than 2 entries or a negative size, or the
   *     scale factor does not have 1 or 4 positive finite entries
   */
  public static ImageMeta of(int[] imgShape, int[] padShape, int[] oriShape, double... scaleFactor) {
    return new ImageMeta(shape(imgShape, "img_shape"), shape(padShape, "pad_shape"),
        shape(oriShape, "ori_shape"), ImmutableDoubleArray.copyOf(scale(scaleFactor)));
  }

  /** An image of (h, w) that was neither padded nor resized. */
  public static ImageMeta ofSize(int height, int width) {
    int[] s = {height, width, 3};
    return of(s, s, s, 1.0);
  }

  /**
   * Reads {@code dict(img_shape=..., pad_shape=..., ori_shape=..., scale_factor=...)}. A missing
   * {@code pad_shape} defaults to {@code img_shape}, a missing {@code ori_shape} to {@code img_shape}
   * and a missing {@code scale_factor} to 1. Other keys (filename, flip, ...) are ignored, since an
   * img_meta dict carries whatever the data pipeline collected.
   *
   * @throws ConfigException naming the key for a missing {@code img_shape} or malformed value
   */
  public static ImageMeta fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    int[] img = c.getIntArray("img_shape");
    int[] pad = c.getIntArray("pad_shape", img);
    int[] ori = c.getIntArray("ori_shape", img);
    double[] scale;
    Object sf = c.get("scale_factor");
    if (sf == null) {
      scale = new double[] {1.0};
    } else if (sf instanceof Number n) {
      scale = new double[] {n.doubleValue()};
    } else {
      scale = c.getDoubleArray("scale_factor");
    }
    try {
      return of(img, pad, ori, scale);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  /**
   * Reads a list of img_meta dicts (see {@link #fromConfig(Config)}).
   *
   * @throws IllegalArgumentException if {@code metas} is null or an entry is not a dict
   * @throws ConfigException as {@link #fromConfig(Config)}
   */
  public static List<ImageMeta> listFromConfig(List<?> metas) {
    return Tensors.requireNonNull(metas, "img_metas").stream().map(m -> {
      if (!(m instanceof Config c)) {
        throw new IllegalArgumentException("img_metas entries must be dicts; got " + Config.describe(m));
      }
      return fromConfig(c);
    }).toList();
  }

  private static ImmutableIntArray shape(int[] s, String name) {
    return shape(s == null ? null : ImmutableIntArray.copyOf(s), name);
  }

  private static ImmutableIntArray shape(ImmutableIntArray s, String name) {
    if (s == null || s.length() < 2) {
      throw new IllegalArgumentException(name + " must be (h, w) or (h, w, c); got " + s);
    }
    if (s.stream().anyMatch(v -> v < 0)) {
      throw new IllegalArgumentException(name + " must hold sizes >= 0; got " + s);
    }
    return s;
  }

  private static double[] scale(double[] f) {
    if (f == null || (f.length != 1 && f.length != 4)) {
      throw new IllegalArgumentException("scale_factor must be one number or (w, h, w, h); got "
          + (f == null ? "null" : Arrays.toString(f)));
    }
    for (double v : f) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("scale_factor must be positive and finite; got " + Arrays.toString(f));
      }
    }
    return f.length == 4 ? f.clone() : new double[] {f[0], f[0], f[0], f[0]};
  }

  /** Height of the (resized, unpadded) image. */
  public int imgHeight() {
    return imgShape.get(0);
  }

  /** Width of the (resized, unpadded) image. */
  public int imgWidth() {
    return imgShape.get(1);
  }

  /** Height of the padded image. */
  public int padHeight() {
    return padShape.get(0);
  }

  /** Width of the padded image. */
  public int padWidth() {
    return padShape.get(1);
  }

  @Override
  public String toString() {
    return "ImageMeta(img_shape=" + imgShape + ", pad_shape=" + padShape + ", ori_shape=" + oriShape
        + ", scale_factor=" + scaleFactor + ")";
  }
}
