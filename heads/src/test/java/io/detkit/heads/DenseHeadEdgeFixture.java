package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Small inputs for the edge tests of the heads on three levels (strides 8, 16, 32) of a 32x32 image:
 * feature maps 4x4, 2x2 and 1x1 (21 locations), constant outputs, and the comparisons the tests share.
 */
public final class DenseHeadEdgeFixture {
  /** The feature-map sizes. */
  public static final int[][] SIZES = {{4, 4}, {2, 2}, {1, 1}};

  /** Locations over the three levels. */
  public static final int LOCATIONS = 21;

  private DenseHeadEdgeFixture() {}

  /** The 32x32 image's meta (no padding, scale 1). */
  public static List<ImageMeta> metas() {
    return List.of(ImageMeta.ofSize(32, 32));
  }

  /** Output {@code name} with {@code channels} channels per location, every value {@code v}, on each level. */
  public static HeadOutputs constant(HeadOutputs base, String name, int channels, double v) {
    return constant(base, name, channels, v, 1, SIZES);
  }

  /** As {@link #constant(HeadOutputs, String, int, double)} for {@code n} images and the given level sizes. */
  public static HeadOutputs constant(HeadOutputs base, String name, int channels, double v, int n, int[][] sizes) {
    List<INDArray> levels = new java.util.ArrayList<>();
    for (int[] hw : sizes) {
      double[] data = new double[n * channels * hw[0] * hw[1]];
      Arrays.fill(data, v);
      levels.add(Tensors.create(data, DataType.FLOAT, n, channels, hw[0], hw[1]));
    }
    return base.with(name, levels);
  }

  /**
   * Asserts that a batch whose last image has no anchor inside it gives the losses of the batch
   * without it (within float32 summation order) and zero gradients for that image.
   */
  public static void assertEmptyImageAddsNothing(HeadLoss alone, HeadLoss withEmpty, List<String> outputs) {
    assertThat(withEmpty.names()).isEqualTo(alone.names());
    for (String name : alone.names()) {
      double[] a = alone.get(name);
      double[] b = withEmpty.get(name);
      for (int l = 0; l < a.length; l++) {
        assertThat(b[l]).as(name + " level " + l).isCloseTo(a[l], org.assertj.core.api.Assertions.within(1e-6));
      }
    }
    for (String name : outputs) {
      for (INDArray g : withEmpty.grads().get(name)) {
        double[] v = Tensors.toDoubles(g);
        assertThat(Arrays.copyOfRange(v, v.length / 2, v.length)).as(name + " of the empty image").containsOnly(0.0);
      }
    }
  }

  /** A ground truth of the given boxes (4 values each) and labels, with optional ignored boxes. */
  public static GroundTruth gt(double[] boxes, long[] labels, double[] ignore) {
    INDArray ig = ignore == null ? null : Tensors.create(ignore, DataType.FLOAT, ignore.length / 4, 4);
    return GroundTruth.of(Tensors.create(boxes, DataType.FLOAT, boxes.length / 4, 4),
        Tensors.createLong(labels, labels.length), ig);
  }

  /** No ground truth. */
  public static GroundTruth noGt() {
    return gt(new double[0], new long[0], null);
  }

  /** Asserts two loss results bit-identical: every loss value and every gradient element. */
  public static void assertBitIdentical(HeadLoss a, HeadLoss b, List<String> outputs, int levels) {
    assertThat(b.names()).isEqualTo(a.names());
    for (String name : a.names()) {
      assertThat(b.get(name)).as(name).containsExactly(a.get(name));
    }
    for (String name : outputs) {
      for (int l = 0; l < levels; l++) {
        assertThat(Tensors.toDoubles(b.grads().get(name, l))).as(name + " level " + l)
            .containsExactly(Tensors.toDoubles(a.grads().get(name, l)));
      }
    }
  }

  /** Asserts two predictions bit-identical, image by image. */
  public static void assertSameDetections(List<Detections> a, List<Detections> b) {
    assertThat(b).hasSameSizeAs(a);
    for (int j = 0; j < a.size(); j++) {
      assertThat(b.get(j).boxData().toArray()).containsExactly(a.get(j).boxData().toArray());
      assertThat(b.get(j).scoreData().toArray()).containsExactly(a.get(j).scoreData().toArray());
      assertThat(b.get(j).labelData().toArray()).containsExactly(a.get(j).labelData().toArray());
    }
  }

  /** The ground truths with one more ignored box {@code (x1, y1, x2, y2)} per image. */
  public static List<GroundTruth> withIgnored(List<GroundTruth> gts, double... box) {
    List<GroundTruth> out = new java.util.ArrayList<>();
    for (GroundTruth g : gts) {
      out.add(GroundTruth.of(g.bboxes(), g.labels().orElse(null), Tensors.create(box, DataType.FLOAT, 1, 4)));
    }
    return out;
  }

  /** Asserts every gradient element of {@code name} is 0. */
  public static void assertZeroGrads(HeadLoss r, String name, int levels) {
    for (int l = 0; l < levels; l++) {
      assertThat(Tensors.toDoubles(r.grads().get(name, l))).as(name + " level " + l).containsOnly(0.0);
    }
  }

  /** Asserts no row of any level is a positive. */
  public static void assertNoPositives(HeadLoss r, int numClasses) {
    HeadTargets t = r.targets().orElseThrow();
    for (int l = 0; l < t.numLevels(); l++) {
      assertThat(t.labelsData(l)).containsOnly(numClasses);
    }
  }
}
