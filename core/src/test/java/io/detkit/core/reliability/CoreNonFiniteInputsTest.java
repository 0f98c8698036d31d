package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.Boxes;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.DeltaXYWHBBoxCoder;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.nms.Nms;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.tensor.Tensors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NaN, +Inf and -Inf in any floating-point input of core's public entry points are rejected with an
 * {@link IllegalArgumentException} that names the input and the first bad element or row, in
 * float32 and float64 alike; none of them flows silently into a result.
 */
class CoreNonFiniteInputsTest {
  static Stream<Object[]> badValues() {
    return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(t -> Stream.of(
        new Object[] {Double.NaN, t}, new Object[] {Double.POSITIVE_INFINITY, t},
        new Object[] {Double.NEGATIVE_INFINITY, t}));
  }

  /** Two valid boxes, the second one's x2 (flat element 6) replaced by {@code bad}. */
  private static INDArray boxesWith(double bad, DataType t) {
    return Tensors.create(new double[] {0, 0, 10, 10, 1, 1, bad, 5}, t, 2, 4);
  }

  private static INDArray okBoxes(DataType t) {
    return Tensors.create(new double[] {0, 0, 10, 10, 1, 1, 6, 5}, t, 2, 4);
  }

  private static String word(double bad) {
    return Double.isNaN(bad) ? "NaN" : bad > 0 ? "Infinity" : "-Infinity";
  }

  private static void rejects(ThrowingCallable call, String... fragments) {
    var a = assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class);
    for (String f : fragments) {
      a.hasMessageContaining(f);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void overlapsAndTheirGradientsNameTheBadInputAndElement(double bad, DataType t) {
    INDArray b = boxesWith(bad, t);
    INDArray ok = okBoxes(t);
    String el = "element 6 is " + word(bad);
    for (OverlapMode mode : OverlapMode.values()) {
      rejects(() -> BboxOverlaps.bboxOverlaps(b, ok, mode, false), "bboxes1 must be finite; " + el);
      rejects(() -> BboxOverlaps.bboxOverlaps(ok, b, mode, true), "bboxes2 must be finite; " + el);
      rejects(() -> BboxOverlaps.vjp(ok, b, mode, false, 1e-6, Tensors.create(new double[4], t, 2, 2)),
          "bboxes2 must be finite; " + el);
      rejects(() -> BboxOverlaps.alignedVjp(b, ok, mode, 1e-6, Tensors.create(new double[2], t, 2)),
          "pred must be finite; " + el);
      rejects(() -> BboxOverlaps.vjp(ok, ok, mode, false, 1e-6,
          Tensors.create(new double[] {1, 1, 1, bad}, t, 2, 2)), "upstream must be finite; element 3 is " + word(bad));
      rejects(() -> BboxOverlaps.vjp(ok, ok, mode, true, 1e-6, Tensors.create(new double[] {bad, 1}, t, 2)),
          "upstream must be finite; element 0 is " + word(bad));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void boxTransformsNameTheBadElement(double bad, DataType t) {
    INDArray b = boxesWith(bad, t);
    String msg = "boxes must be finite; element 6 is " + word(bad);
    rejects(() -> Boxes.xyxyToCxcywh(b), msg);
    rejects(() -> Boxes.cxcywhToXyxy(b), msg);
    rejects(() -> Boxes.areas(b), msg);
    rejects(() -> Boxes.clip(b, 20, 20), msg);
    rejects(() -> Boxes.flip(b, 20, 20, "diagonal"), msg);
  }

  static Stream<BBoxCoder> boxCoders() {
    return Stream.of(new DeltaXYWHBBoxCoder(), DeltaXYWHBBoxCoder.of(new double[] {0.1, -0.1, 0, 0},
        new double[] {0.1, 0.1, 0.2, 0.2}), new TBLRBBoxCoder(4.0, true));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void boxCodersNameTheBadArgumentOnEveryPath(double bad, DataType t) {
    String el = "element 6 is " + word(bad);
    int[] shape = {30, 30};
    boxCoders().forEach(coder -> {
      INDArray ok = okBoxes(t);
      INDArray b = boxesWith(bad, t);
      rejects(() -> coder.encode(b, ok), "bboxes must be finite; " + el);
      rejects(() -> coder.encode(ok, b), "gt_bboxes must be finite; " + el);
      rejects(() -> coder.decode(b, ok, shape), "bboxes must be finite; " + el);
      rejects(() -> coder.decode(ok, b, null), "pred_bboxes must be finite; " + el);
      rejects(() -> coder.decodeVjp(ok, ok, shape, b), "upstream must be finite; " + el);
      double[] okD = Tensors.toDoubles(ok);
      double[] bD = Tensors.toDoubles(b);
      rejects(() -> coder.encode(bD, okD), "bboxes must be finite; " + el);
      rejects(() -> coder.decode(okD, bD, null), "pred_bboxes must be finite; " + el);
      rejects(() -> coder.decodeVjp(okD, okD, null, bD), "upstream must be finite; " + el);
      rejects(() -> coder.encode(Tensors.toFloats(ok), Tensors.toFloats(b)), "gt_bboxes must be finite; " + el);
      rejects(() -> coder.decodeVjp(Tensors.toFloats(b), Tensors.toFloats(ok), shape, Tensors.toFloats(ok)),
          "bboxes must be finite; " + el);
    });
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void pointCoderNamesTheBadArgument(double bad, DataType t) {
    DistancePointBBoxCoder coder = new DistancePointBBoxCoder(true);
    INDArray points = Tensors.create(new double[] {5, 5, 3, bad}, t, 2, 2);
    INDArray okPoints = Tensors.create(new double[] {5, 5, 3, 3}, t, 2, 2);
    rejects(() -> coder.encode(points, okBoxes(t)), "points must be finite; element 3 is " + word(bad));
    rejects(() -> coder.encode(points, okBoxes(t), 8.0, 0.1), "points must be finite; element 3 is " + word(bad));
    rejects(() -> coder.encode(okPoints, boxesWith(bad, t)), "gt_bboxes must be finite; element 6 is " + word(bad));
    rejects(() -> coder.decode(okPoints, boxesWith(bad, t), new int[] {20, 20}),
        "pred_bboxes must be finite; element 6 is " + word(bad));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void assignersNameTheBadArgumentAndRow(double bad, DataType t) {
    MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4));
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(3));
    INDArray ok = okBoxes(t);
    INDArray b = boxesWith(bad, t);
    for (var a : new io.detkit.core.assign.BaseAssigner[] {maxIou, atss}) {
      rejects(() -> a.assign(b, ok, null, null), "bboxes row 1 must be finite");
      rejects(() -> a.assign(ok, b, null, null), "gt_bboxes row 1 must be finite");
      rejects(() -> a.assign(ok, ok, b, null), "gt_bboxes_ignore row 1 must be finite");
    }
    rejects(() -> maxIou.assignWrtOverlaps(Tensors.create(new double[] {0.5, bad, 0.1, 0.2}, t, 2, 2), null),
        "overlaps must be finite; element 1 is " + word(bad));
    rejects(() -> maxIou.assignWrtOverlaps(new float[] {0.5f, 0.2f, (float) bad, 0.1f}, 2, 2, null),
        "overlaps must be finite; element 2 is " + word(bad));

    ATSSAssigner ddod = new ATSSAssigner(ATSSAssigner.Params.of(3).withAlpha(0.8));
    INDArray labels = Tensors.createLong(new long[] {0, 1}, 2);
    INDArray cls = Tensors.create(new double[] {0.5, -1, 2, bad}, t, 2, 2);
    rejects(() -> ddod.assign(ok, null, ok, null, labels, cls, ok), "cls_scores must be finite; element 3 is "
        + word(bad));
    rejects(() -> ddod.assign(ok, null, ok, null, labels, Tensors.create(new double[4], t, 2, 2), b),
        "bbox_preds row 1 must be finite");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void nmsNamesTheBadArgument(double bad, DataType t) {
    INDArray scores = Tensors.create(new double[] {0.9, 0.8}, t, 2);
    rejects(() -> Nms.nms(boxesWith(bad, t), scores, 0.5), "boxes row 1");
    rejects(() -> Nms.multiclassNms(boxesWith(bad, t), Tensors.create(new double[] {0.9, 0.1, 0.8, 0.2}, t, 2, 2),
        0.05, NmsConfig.of(0.5), 100, null), "multi_bboxes row 1");
    rejects(() -> Nms.multiclassNms(okBoxes(t), Tensors.create(new double[] {0.9, 0.1, 0.8, 0.2}, t, 2, 2), 0.05,
        NmsConfig.of(0.5), 100, Tensors.create(new double[] {1, bad}, t, 2)),
        "score_factors must be finite; element 1 is " + word(bad));
    // Infinite scores too: +Inf would outrank every box, -Inf vanish below any threshold.
    rejects(() -> Nms.nms(okBoxes(t), Tensors.create(new double[] {0.9, bad}, t, 2), 0.5),
        "scores must be finite; element 1 is " + word(bad));
    rejects(() -> Nms.multiclassNms(okBoxes(t), Tensors.create(new double[] {0.9, 0.1, bad, 0.2}, t, 2, 2),
        0.05, NmsConfig.of(0.5), 100, null), "multi_scores must be finite; element 2 is " + word(bad));
  }
}
