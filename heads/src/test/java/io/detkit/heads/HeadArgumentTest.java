package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The heads' public entry points and value types name bad arguments (null, counts, levels, dtypes,
 * non-finite boxes) in IllegalArgumentExceptions instead of failing inside.
 */
class HeadArgumentTest {
  private final AnchorHead head = Tiny.head(-1, 0, -1);

  private static List<GroundTruth> oneGt() {
    return List.of(GroundTruth.of(Tiny.boxes(0, 0, 10, 10), Tiny.labels(0)));
  }

  @Test
  void groundTruthRejectsNonFiniteAndInvertedBoxesUpFront() {
    assertThatThrownBy(() -> GroundTruth.of(Tiny.boxes(0, 0, Float.NaN, 10), Tiny.labels(0)))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("gt_bboxes must be finite; element 2 is NaN");
    assertThatThrownBy(() -> GroundTruth.of(Tiny.boxes(0, 0, 10, 10), null, Tiny.boxes(5, 0, 4, 10)))
        .hasMessage("gt_bboxes_ignore row 0 must have x1 <= x2 and y1 <= y2; got [5.0, 0.0, 4.0, 10.0]");
  }

  @Test
  void nullImagesAndMetasAreNamedWithTheirIndex() {
    List<GroundTruth> gts = Arrays.asList((GroundTruth) null);
    assertThatThrownBy(() -> head.loss(Tiny.outputs(1, 0, 0), gts, List.of(Tiny.meta(32, 32))))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("gts[0] must not be null");
    List<ImageMeta> metas = Arrays.asList((ImageMeta) null);
    assertThatThrownBy(() -> head.loss(Tiny.outputs(1, 0, 0), oneGt(), metas)).hasMessage("img_metas[0] must not be null");
    assertThatThrownBy(() -> head.predict(Tiny.outputs(1, 0, 0), metas)).hasMessage("img_metas[0] must not be null");
    assertThatThrownBy(() -> head.loss(Tiny.outputs(1, 0, 0), List.of(), List.of(Tiny.meta(32, 32))))
        .hasMessage("gts must hold the ground truth of every image (1); got 0");
  }

  @Test
  void nonFiniteOutputsAreNamedWithTheirLevelAndElement() {
    INDArray cls = Tiny.filled(1, 1, 0.0);
    cls.putScalar(new long[] {0, 0, 1, 1}, Double.NaN);
    HeadOutputs outs = HeadOutputs.of(List.of(cls), List.of(Tiny.filled(1, 4, 0.0)));
    assertThatThrownBy(() -> head.loss(outs, oneGt(), List.of(Tiny.meta(32, 32))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("AnchorHead: cls_scores[0] must be finite; element 3 is NaN");
    INDArray box = Tiny.filled(1, 4, 0.0);
    box.putScalar(new long[] {0, 2, 0, 0}, Double.POSITIVE_INFINITY);
    assertThatThrownBy(() -> head.predict(HeadOutputs.of(List.of(Tiny.filled(1, 1, 0.0)), List.of(box)),
        List.of(Tiny.meta(32, 32)))).hasMessage("AnchorHead: bbox_preds[0] must be finite; element 8 is Infinity");
  }

  @Test
  void getAnchorsChecksItsArguments() {
    List<ImageMeta> metas = List.of(Tiny.meta(32, 32));
    List<int[]> sizes = List.<int[]>of(new int[] {2, 2});
    assertThatThrownBy(() -> head.getAnchors(null, metas, DataType.FLOAT)).hasMessage("featmap_sizes must not be null");
    assertThatThrownBy(() -> head.getAnchors(sizes, metas, DataType.INT32))
        .hasMessage("dtype must be a floating-point type; got INT");
    assertThatThrownBy(() -> head.getAnchors(sizes, metas, null)).hasMessage("dtype must not be null");
    assertThatThrownBy(() -> head.getAnchors(Arrays.asList((int[]) null), metas, DataType.FLOAT))
        .hasMessage("featmap_sizes[0] must be (h, w); got null");
    assertThat(head.getAnchors(sizes, metas, DataType.HALF).dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void getTargetsNeedsAGenerator() {
    MultiLevelAnchors anchors = head.getAnchors(List.<int[]>of(new int[] {2, 2}), List.of(Tiny.meta(32, 32)),
        DataType.FLOAT);
    assertThatThrownBy(() -> head.getTargets(anchors, oneGt(), List.of(Tiny.meta(32, 32)), 1, null))
        .hasMessage("random must not be null");
    assertThatThrownBy(() -> new SingleImageInput(0, anchors, oneGt().get(0), Tiny.meta(32, 32), 0,
        new SplittableRandom(1))).hasMessage("label_channels must be >= 1; got 0");
  }

  @Test
  void levelAndImageIndicesAreChecked() {
    HeadLoss loss = head.loss(Tiny.outputs(1, 0, 0), oneGt(), List.of(Tiny.meta(32, 32)));
    HeadTargets t = loss.targets().orElseThrow();
    assertThatThrownBy(() -> t.labels(1)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("level must be in [0, 1); got 1");
    assertThatThrownBy(() -> t.bboxTargetsData(-1)).hasMessage("level must be in [0, 1); got -1");
    assertThatThrownBy(() -> t.image(1)).hasMessage("image must be in [0, 1); got 1");
    assertThatThrownBy(() -> loss.get("loss_cls", 3)).hasMessage("level must be in [0, 1); got 3");
    assertThatThrownBy(() -> Tiny.outputs(1, 0, 0).get(HeadOutputs.CLS_SCORES, 1))
        .hasMessage("level must be in [0, 1); got 1");
    MultiLevelAnchors a = head.getAnchors(List.<int[]>of(new int[] {2, 2}), List.of(Tiny.meta(32, 32)),
        DataType.FLOAT);
    assertThatThrownBy(() -> a.anchors(1)).hasMessage("level must be in [0, 1); got 1");
    assertThatThrownBy(() -> a.validFlags(1, 0)).hasMessage("image must be in [0, 1); got 1");
  }

  @Test
  void multiLevelAnchorsRejectsNonFiniteAnchorsAndSizesThatDoNotFit() {
    List<List<boolean[]>> noImages = List.of();
    List<int[]> sizes = List.<int[]>of(new int[] {1, 1});
    assertThatThrownBy(() -> MultiLevelAnchors.of(DataType.FLOAT, sizes, List.of(new double[] {0, 0, Double.NaN, 1}),
        noImages)).hasMessage("level_anchors[0] must be finite; element 2 is NaN");
    List<int[]> twoCells = List.<int[]>of(new int[] {1, 2});
    assertThatThrownBy(() -> MultiLevelAnchors.of(DataType.FLOAT, twoCells, List.of(new double[4]), noImages))
        .hasMessage("level_anchors[0] must hold a whole number of anchors per cell of the 1x2 feature map; got 1"
            + " anchors");
  }

  @Test
  void anchorUtilsCheckTheirArraysFirst() {
    assertThatThrownBy(() -> AnchorUtils.numLevelInside(new int[] {3}, new boolean[2]))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("num_level_anchors [3] sum to 3 but there are 2 inside_flags");
    assertThatThrownBy(() -> AnchorUtils.numLevelInside(new int[] {-1, 3}, new boolean[2]))
        .hasMessage("num_level_anchors[0] must be >= 0; got -1");
    assertThatThrownBy(() -> AnchorUtils.unmap(new double[2], 0, new boolean[] {true}, 0))
        .hasMessage("width must be >= 1; got 0");
    assertThatThrownBy(() -> AnchorUtils.unmap(new double[3], 4, new boolean[] {true, false}, 0))
        .hasMessage("data must hold one row per inside anchor (1); got 3 values for rows of 4");
    assertThatThrownBy(() -> AnchorUtils.indicesOf(null)).hasMessage("flags must not be null");
    assertThatThrownBy(() -> AnchorUtils.insideFlags(new double[] {0, 0, Double.NaN, 1}, new boolean[] {true},
        Tiny.meta(32, 32), 0)).hasMessage("flat_anchors must be finite; element 2 is NaN");
  }

  @Test
  void valueTypesNameNullArrays() {
    assertThatThrownBy(() -> Detections.of(DataType.FLOAT, null, new double[0], new int[0]))
        .hasMessage("boxes must not be null");
    assertThatThrownBy(() -> Detections.of(DataType.INT64, new double[0], new double[0], new int[0]))
        .hasMessage("dtype must be a floating-point type; got LONG");
    assertThatThrownBy(() -> Detections.of(DataType.FLOAT, new double[4], new double[2], new int[2]))
        .hasMessage("boxes, scores and labels must describe the same detections (4n, n, n values); got 4 box"
            + " coordinates, 2 scores, 2 labels");
    assertThatThrownBy(() -> HeadLoss.of(null, HeadOutputs.empty(), null)).hasMessage("losses must not be null");
    assertThatThrownBy(() -> HeadLoss.of(Map.of(), null, null)).hasMessage("grads must not be null");
    AssignResult assign = AssignResult.allNegative(0, 1, false);
    assertThatThrownBy(() -> ImageTargets.of(new boolean[1], null, new double[1], new double[4], new double[4], null,
        new int[0], new int[0], new int[0], assign, null)).hasMessage("labels must not be null");
    ImageTargets t = ImageTargets.of(new boolean[1], new int[1], new double[1], new double[4], new double[4], null,
        new int[0], new int[0], new int[0], assign, null);
    assertThatThrownBy(() -> t.withLabelWeights(null)).hasMessage("label_weights must not be null");
    assertThatThrownBy(() -> t.withExtra("x", 1, null)).hasMessage("extra data must not be null");
    assertThatThrownBy(() -> HeadTargets.of(DataType.FLOAT, 1, new int[] {1}, List.of()))
        .hasMessage("images must hold the targets of at least one image; got an empty list");
    assertThatThrownBy(() -> HeadTargets.of(DataType.INT32, 1, new int[] {1}, List.of(t)))
        .hasMessage("dtype must be a floating-point type; got INT");
    assertThat(Tensors.toInts(HeadTargets.of(DataType.FLOAT, 1, new int[] {1}, List.of(t)).labels(0)))
        .containsExactly(0);
  }
}
