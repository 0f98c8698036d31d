package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The heads' public entry points and value types name bad arguments (null, counts, levels, dtypes,
 * non-finite boxes) in IllegalArgumentExceptions instead of failing inside: one {@link Rejection}
 * per case, the cases differing only by data.
 */
class HeadArgumentTest {
  private static final AnchorHead HEAD = Tiny.head(-1, 0, -1);
  private static final List<ImageMeta> ONE_META = List.of(Tiny.meta(32, 32));
  private static final List<int[]> ONE_LEVEL = List.<int[]>of(new int[] {2, 2});

  private static List<GroundTruth> oneGt() {
    return List.of(GroundTruth.of(Tiny.boxes(0, 0, 10, 10), Tiny.labels(0)));
  }

  private static MultiLevelAnchors anchors() {
    return HEAD.getAnchors(ONE_LEVEL, ONE_META, DataType.FLOAT);
  }

  private static ImageTargets oneAnchorTargets() {
    return ImageTargets.of(new boolean[1], new int[1], new double[1], new double[4], new double[4], null,
        new int[0], new int[0], new int[0], AssignResult.allNegative(0, 1, false), null);
  }

  static Stream<Rejection> groundTruthAndInputs() {
    List<GroundTruth> nullGt = Arrays.asList((GroundTruth) null);
    List<ImageMeta> nullMeta = Arrays.asList((ImageMeta) null);
    return Stream.of(
        Rejection.of("gt box with NaN", () -> GroundTruth.of(Tiny.boxes(0, 0, Float.NaN, 10), Tiny.labels(0)),
            "gt_bboxes must be finite; element 2 is NaN"),
        Rejection.of("inverted ignore box", () -> GroundTruth.of(Tiny.boxes(0, 0, 10, 10), null,
            Tiny.boxes(5, 0, 4, 10)), "gt_bboxes_ignore row 0 must have x1 <= x2 and y1 <= y2; got [5.0, 0.0, 4.0,"
            + " 10.0]"),
        Rejection.of("null gt of image 0", () -> HEAD.loss(Tiny.outputs(1, 0, 0), nullGt, ONE_META),
            "gts[0] must not be null"),
        Rejection.of("null meta in loss", () -> HEAD.loss(Tiny.outputs(1, 0, 0), oneGt(), nullMeta),
            "img_metas[0] must not be null"),
        Rejection.of("null meta in predict", () -> HEAD.predict(Tiny.outputs(1, 0, 0), nullMeta),
            "img_metas[0] must not be null"),
        Rejection.of("no gts for one image", () -> HEAD.loss(Tiny.outputs(1, 0, 0), List.of(), ONE_META),
            "gts must hold the ground truth of every image (1); got 0"));
  }

  static Stream<Rejection> nonFiniteOutputs() {
    INDArray cls = Tiny.filled(1, 1, 0.0);
    cls.putScalar(new long[] {0, 0, 1, 1}, Double.NaN);
    INDArray box = Tiny.filled(1, 4, 0.0);
    box.putScalar(new long[] {0, 2, 0, 0}, Double.POSITIVE_INFINITY);
    return Stream.of(
        Rejection.of("NaN class score in loss", () -> HEAD.loss(HeadOutputs.of(List.of(cls),
            List.of(Tiny.filled(1, 4, 0.0))), oneGt(), ONE_META), "AnchorHead: cls_scores[0] must be finite; element"
            + " 3 is NaN"),
        Rejection.of("infinite box in predict", () -> HEAD.predict(HeadOutputs.of(List.of(Tiny.filled(1, 1, 0.0)),
            List.of(box)), ONE_META), "AnchorHead: bbox_preds[0] must be finite; element 8 is Infinity"));
  }

  static Stream<Rejection> anchorsAndTargets() {
    return Stream.of(
        Rejection.of("null featmap_sizes", () -> HEAD.getAnchors(null, ONE_META, DataType.FLOAT),
            "featmap_sizes must not be null"),
        Rejection.of("integer dtype", () -> HEAD.getAnchors(ONE_LEVEL, ONE_META, DataType.INT32),
            "dtype must be a floating-point type; got INT"),
        Rejection.of("null dtype", () -> HEAD.getAnchors(ONE_LEVEL, ONE_META, null), "dtype must not be null"),
        Rejection.of("null level size", () -> HEAD.getAnchors(Arrays.asList((int[]) null), ONE_META,
            DataType.FLOAT), "featmap_sizes[0] must be (h, w); got null"),
        Rejection.of("no random generator", () -> HEAD.getTargets(anchors(), oneGt(), ONE_META, 1, null),
            "random must not be null"),
        Rejection.of("no label channels", () -> new SingleImageInput(0, anchors(), oneGt().get(0), Tiny.meta(32, 32),
            0, new SplittableRandom(1)), "label_channels must be >= 1; got 0"),
        Rejection.of("NaN anchor", () -> MultiLevelAnchors.of(DataType.FLOAT, List.<int[]>of(new int[] {1, 1}),
            List.of(new double[] {0, 0, Double.NaN, 1}), List.of()), "level_anchors[0] must be finite; element 2 is"
            + " NaN"),
        Rejection.of("anchors not a multiple of the cells", () -> MultiLevelAnchors.of(DataType.FLOAT,
            List.<int[]>of(new int[] {1, 2}), List.of(new double[4]), List.of()), "level_anchors[0] must hold a whole"
            + " number of anchors per cell of the 1x2 feature map; got 1 anchors"));
  }

  static Stream<Rejection> levelAndImageIndices() {
    HeadLoss loss = HEAD.loss(Tiny.outputs(1, 0, 0), oneGt(), ONE_META);
    HeadTargets t = loss.targets().orElseThrow();
    MultiLevelAnchors a = anchors();
    return Stream.of(
        Rejection.of("targets level 1 of 1", () -> t.labels(1), "level must be in [0, 1); got 1"),
        Rejection.of("targets level -1", () -> t.bboxTargetsData(-1), "level must be in [0, 1); got -1"),
        Rejection.of("targets image 1 of 1", () -> t.image(1), "image must be in [0, 1); got 1"),
        Rejection.of("loss level 3", () -> loss.get("loss_cls", 3), "level must be in [0, 1); got 3"),
        Rejection.of("outputs level 1", () -> Tiny.outputs(1, 0, 0).get(HeadOutputs.CLS_SCORES, 1),
            "level must be in [0, 1); got 1"),
        Rejection.of("anchors level 1", () -> a.anchors(1), "level must be in [0, 1); got 1"),
        Rejection.of("valid flags image 1", () -> a.validFlags(1, 0), "image must be in [0, 1); got 1"));
  }

  static Stream<Rejection> anchorUtils() {
    return Stream.of(
        Rejection.of("inside counts that do not sum", () -> AnchorUtils.numLevelInside(new int[] {3},
            new boolean[2]), "num_level_anchors [3] sum to 3 but there are 2 inside_flags"),
        Rejection.of("negative level count", () -> AnchorUtils.numLevelInside(new int[] {-1, 3}, new boolean[2]),
            "num_level_anchors[0] must be >= 0; got -1"),
        Rejection.of("unmap width 0", () -> AnchorUtils.unmap(new double[2], 0, new boolean[] {true}, 0),
            "width must be >= 1; got 0"),
        Rejection.of("unmap rows that do not fit", () -> AnchorUtils.unmap(new double[3], 4,
            new boolean[] {true, false}, 0), "data must hold one row per inside anchor (1); got 3 values for rows"
            + " of 4"),
        Rejection.of("null flags", () -> AnchorUtils.indicesOf(null), "flags must not be null"),
        Rejection.of("NaN flat anchor", () -> AnchorUtils.insideFlags(new double[] {0, 0, Double.NaN, 1},
            new boolean[] {true}, Tiny.meta(32, 32), 0), "flat_anchors must be finite; element 2 is NaN"));
  }

  static Stream<Rejection> valueTypes() {
    ImageTargets t = oneAnchorTargets();
    return Stream.of(
        Rejection.of("null detection boxes", () -> Detections.of(DataType.FLOAT, null, new double[0], new int[0]),
            "boxes must not be null"),
        Rejection.of("integer detections", () -> Detections.of(DataType.INT64, new double[0], new double[0],
            new int[0]), "dtype must be a floating-point type; got LONG"),
        Rejection.of("detections that disagree", () -> Detections.of(DataType.FLOAT, new double[4], new double[2],
            new int[2]), "boxes, scores and labels must describe the same detections (4n, n, n values); got 4 box"
            + " coordinates, 2 scores, 2 labels"),
        Rejection.of("null loss dict", () -> HeadLoss.of(null, HeadOutputs.empty(), null), "losses must not be null"),
        Rejection.of("null grads", () -> HeadLoss.of(Map.of(), null, null), "grads must not be null"),
        Rejection.of("null labels", () -> ImageTargets.of(new boolean[1], null, new double[1], new double[4],
            new double[4], null, new int[0], new int[0], new int[0], AssignResult.allNegative(0, 1, false), null),
            "labels must not be null"),
        Rejection.of("null label weights", () -> t.withLabelWeights(null), "label_weights must not be null"),
        Rejection.of("null extra", () -> t.withExtra("x", 1, null), "extra data must not be null"),
        Rejection.of("labels of another length", () -> t.withLabels(new int[2]), "labels must have 1 values; got 2"),
        Rejection.of("a null shared loss", () -> Heads.retinaHead().params(p -> p.withLossCls(null)),
            "loss_cls must not be null"),
        Rejection.of("a two-number scale factor", () -> new ImageMeta(ImmutableIntArray.of(4, 4),
            ImmutableIntArray.of(4, 4), ImmutableIntArray.of(4, 4), ImmutableDoubleArray.of(1, 1)),
            "scale_factor must be (w, h, w, h); got [1.0, 1.0]"),
        Rejection.of("no images", () -> HeadTargets.of(DataType.FLOAT, 1, new int[] {1}, List.of()),
            "images must hold the targets of at least one image; got an empty list"),
        Rejection.of("integer targets", () -> HeadTargets.of(DataType.INT32, 1, new int[] {1}, List.of(t)),
            "dtype must be a floating-point type; got INT"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"groundTruthAndInputs", "nonFiniteOutputs", "anchorsAndTargets", "levelAndImageIndices",
      "anchorUtils", "valueTypes"})
  void badArgumentsAreNamed(Rejection r) {
    r.assertRejected();
  }

  @Test
  void halfPrecisionAnchorsComeAsFloat() {
    assertThat(HEAD.getAnchors(ONE_LEVEL, ONE_META, DataType.HALF).dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void oneImagesTargetsRegroupPerLevel() {
    assertThat(Tensors.toInts(HeadTargets.of(DataType.FLOAT, 1, new int[] {1}, List.of(oneAnchorTargets()))
        .labels(0))).containsExactly(0);
  }
}
