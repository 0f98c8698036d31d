package io.detkit.tools.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Packed {@code 0xRRGGBB} pixel arrays (row-major) and {@link BufferedImage}s of
 * {@link BufferedImage#TYPE_INT_RGB} over them, so that the loader's per-pixel work runs as
 * primitive loops instead of one {@code getRGB}/{@code setRGB} call (a colour-model conversion)
 * per pixel. Stateless.
 */
final class Pixels {
  private Pixels() {}

  /** A new {@code w x h} TYPE_INT_RGB image. */
  static BufferedImage newImage(int w, int h) {
    return new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
  }

  /**
   * The pixels of {@code img} as {@code 0xRRGGBB} ints (the top byte is not meaningful), row-major.
   * For an image made by {@link #newImage} (or any TYPE_INT_RGB image with a dense raster) this is
   * the image's own storage: writes change the image, and callers that only read must not write;
   * any other image is converted into a new array.
   */
  static int[] data(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_INT_RGB
        && img.getRaster().getDataBuffer() instanceof DataBufferInt buf
        && buf.getNumBanks() == 1 && buf.getOffset() == 0
        && img.getSampleModel() instanceof SinglePixelPackedSampleModel sm
        && sm.getScanlineStride() == img.getWidth()
        && img.getRaster().getSampleModelTranslateX() == 0 && img.getRaster().getSampleModelTranslateY() == 0
        && buf.getSize() == img.getWidth() * img.getHeight()) {
      return buf.getData();
    }
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  /** A new {@code w x h} TYPE_INT_RGB image holding a copy of {@code rgb} (row-major 0xRRGGBB). */
  static BufferedImage copyOf(int[] rgb, int w, int h) {
    BufferedImage img = newImage(w, h);
    System.arraycopy(rgb, 0, data(img), 0, w * h);
    return img;
  }

  /** {@code img} mirrored left to right, as a new image. */
  static BufferedImage flipHorizontal(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] src = data(img);
    BufferedImage out = newImage(w, h);
    int[] dst = data(out);
    for (int y = 0; y < h; y++) {
      int row = y * w;
      for (int x = 0; x < w; x++) {
        dst[row + w - 1 - x] = src[row + x] & 0xffffff;
      }
    }
    return out;
  }
}
