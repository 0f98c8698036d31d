package io.detkit.tools.viz;

import io.detkit.heads.AnchorHead;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.MultiLevelAnchors;
import io.detkit.tools.data.DetectionSample;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a head's assigner (and sampler) does with one training image: the ground truth (green) and
 * every anchor labelled positive, coloured by its FPN level, with a legend counting positives per
 * level.
 */
public final class TargetPicture {
  /** The picture and the positive count of each level. */
  public record Rendered(BufferedImage image, int[] positivesPerLevel) {}

  private TargetPicture() {}

  /**
   * Assigns {@code sample}'s anchors with {@code head}'s train config and draws the positives.
   *
   * @param strides the stride of each level
   * @param inputHeight height of the network input (the batch), feature maps being
   *     {@code ceil(input / stride)}
   * @param inputWidth width of the network input
   * @throws IllegalStateException if the head has no train config
   */
  public static Rendered render(AnchorHead head, DetectionSample sample, int[] strides, int inputHeight,
      int inputWidth, int zoom) {
    List<int[]> sizes = new ArrayList<>();
    for (int s : strides) {
      sizes.add(new int[] {(inputHeight + s - 1) / s, (inputWidth + s - 1) / s});
    }
    MultiLevelAnchors anchors = head.getAnchors(sizes, List.of(sample.meta()), DataType.FLOAT);
    Optional<HeadTargets> targets = head.getTargets(anchors, List.of(sample.groundTruth()), List.of(sample.meta()),
        head.labelChannels());
    int[] counts = new int[strides.length];
    BufferedImage img = Pictures.enlarge(sample.preview(), zoom);
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight() + 16 * (strides.length + 1),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.drawImage(img, 0, 0, null);
    if (targets.isPresent()) {
      for (int l = 0; l < strides.length; l++) {
        int[] labels = targets.get().labelsData(l);
        double[] a = anchors.anchorData(l);
        for (int i = 0; i < labels.length; i++) {
          if (labels[i] >= 0 && labels[i] < head.numClasses()) {
            counts[l]++;
            Pictures.box(g, (float) a[4 * i], (float) a[4 * i + 1], (float) a[4 * i + 2], (float) a[4 * i + 3], zoom,
                Pictures.levelColor(l), 1.5f, true);
          }
        }
      }
    }
    float[] b = sample.boxes();
    for (int k = 0; k < sample.numObjects(); k++) {
      Pictures.box(g, b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3], zoom, Pictures.GT, 2f, false);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    int y = img.getHeight() + 13;
    g.setColor(Pictures.GT);
    g.drawString("ground truth (" + sample.numObjects() + ")" + (targets.isEmpty() ? "; no anchor inside" : ""), 4,
        y);
    for (int l = 0; l < strides.length; l++) {
      y += 16;
      g.setColor(Pictures.levelColor(l));
      g.drawString("level " + l + " (stride " + strides[l] + "): " + counts[l] + " positive anchors", 4, y);
    }
    g.dispose();
    return new Rendered(out, counts);
  }
}
