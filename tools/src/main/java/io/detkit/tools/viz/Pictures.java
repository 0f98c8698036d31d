package io.detkit.tools.viz;

import io.detkit.tools.eval.Detections;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * PNG pictures of images with boxes: validation grids (ground truth and predictions) and the
 * targets an assigner makes (anchors coloured by FPN level). Images are enlarged by an integer
 * factor so that small synthetic images stay legible.
 */
public final class Pictures {
  /** Ground-truth box colour. */
  public static final Color GT = new Color(40, 220, 60);
  /** Colours of predictions by class, cycling. */
  private static final Color[] CLASS_COLORS = {new Color(255, 80, 80), new Color(80, 160, 255),
      new Color(255, 200, 40), new Color(220, 90, 255), new Color(40, 230, 230)};
  /** Colours of FPN levels, cycling. */
  private static final Color[] LEVEL_COLORS = {new Color(255, 60, 60), new Color(60, 140, 255),
      new Color(255, 210, 0), new Color(200, 80, 255), new Color(0, 230, 200)};

  private Pictures() {}

  /** The colour of FPN level {@code level}. */
  public static Color levelColor(int level) {
    return LEVEL_COLORS[level % LEVEL_COLORS.length];
  }

  /** {@code img} enlarged {@code zoom} times (nearest neighbour). */
  public static BufferedImage enlarge(BufferedImage img, int zoom) {
    BufferedImage out = new BufferedImage(img.getWidth() * zoom, img.getHeight() * zoom, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
    g.dispose();
    return out;
  }

  /** A box in image pixels drawn on a picture enlarged {@code zoom} times. */
  public static void box(Graphics2D g, float x1, float y1, float x2, float y2, int zoom, Color c, float width,
      boolean dashed) {
    g.setColor(c);
    g.setStroke(dashed ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {4f, 3f}, 0f) : new BasicStroke(width));
    g.drawRect(Math.round(x1 * zoom), Math.round(y1 * zoom), Math.round((x2 - x1) * zoom),
        Math.round((y2 - y1) * zoom));
  }

  /**
   * A grid of images with ground truth (green) and predictions scoring at least {@code minScore}
   * (by class colour, labelled with class and score).
   *
   * @param gts ground truth per image, in the image's pixels
   * @param preds predictions per image, in the image's pixels
   */
  public static BufferedImage grid(List<BufferedImage> images, List<Detections> gts, List<Detections> preds,
      List<String> classes, double minScore, int columns, int zoom) {
    if (images.isEmpty()) {
      return new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    }
    int cellW = 0;
    int cellH = 0;
    for (BufferedImage img : images) {
      cellW = Math.max(cellW, img.getWidth() * zoom);
      cellH = Math.max(cellH, img.getHeight() * zoom);
    }
    int cols = Math.min(columns, images.size());
    int rows = (images.size() + cols - 1) / cols;
    int gap = 4;
    BufferedImage out = new BufferedImage(cols * (cellW + gap) + gap, rows * (cellH + gap) + gap + 18,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.DARK_GRAY);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i < images.size(); i++) {
      int ox = gap + (i % cols) * (cellW + gap);
      int oy = gap + (i / cols) * (cellH + gap);
      Graphics2D cell = (Graphics2D) g.create(ox, oy, cellW, cellH);
      cell.drawImage(enlarge(images.get(i), zoom), 0, 0, null);
      Detections gt = gts.get(i);
      for (int k = 0; k < gt.size(); k++) {
        box(cell, gt.box(k, 0), gt.box(k, 1), gt.box(k, 2), gt.box(k, 3), zoom, GT, 2f, false);
      }
      Detections p = preds.get(i);
      for (int k = 0; k < p.size(); k++) {
        if (p.score(k) < minScore) {
          continue;
        }
        Color c = CLASS_COLORS[p.label(k) % CLASS_COLORS.length];
        box(cell, p.box(k, 0), p.box(k, 1), p.box(k, 2), p.box(k, 3), zoom, c, 1.5f, true);
        String name = p.label(k) < classes.size() ? classes.get(p.label(k)) : String.valueOf(p.label(k));
        cell.setColor(c);
        cell.drawString(String.format("%s %.2f", name, p.score(k)), Math.round(p.box(k, 0) * zoom) + 2,
            Math.max(10, Math.round(p.box(k, 1) * zoom) - 2));
      }
      cell.dispose();
    }
    g.setColor(Color.WHITE);
    g.drawString("green: ground truth; dashed: predictions with score >= " + minScore, gap, out.getHeight() - 5);
    g.dispose();
    return out;
  }

  /** Writes {@code img} as PNG. */
  public static void writePng(BufferedImage img, Path file) throws IOException {
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }
}
