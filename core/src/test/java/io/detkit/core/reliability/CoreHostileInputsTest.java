package io.detkit.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.anchor.AnchorGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.MaxIoUAssigner;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.Boxes;
import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.coder.BBoxCoder;
import io.detkit.core.coder.DeltaXYWHBBoxCoder;
import io.detkit.core.coder.TBLRBBoxCoder;
import io.detkit.core.config.Config;
import io.detkit.core.nms.Nms;
import io.detkit.core.nms.NmsConfig;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hostile but finite inputs: counts that would size a huge allocation or loop fail by a named
 * limit before anything is allocated; boxes whose areas overflow the dtype still get their true
 * overlaps; int64 ids beyond int are named; infinite scores are refused. Each case failed (an
 * out-of-memory error, a wrong or non-finite answer, another exception type) before the fix.
 */
class CoreHostileInputsTest {
  private static INDArray boxes(DataType t, double... v) {
    return Tensors.create(v, t, v.length / 4, 4);
  }

  private static void rejects(Runnable call, String... fragments) {
    assertThatThrownBy(call::run).isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll(fragments);
  }

  // ------------------------------------------------------------------ limits

  @Test
  void overlapsTooLargeForOneBufferFailFastCountingBytes() {
    INDArray a = Nd4j.zeros(DataType.FLOAT, 40_000, 4);
    INDArray b = Nd4j.zeros(DataType.FLOAT, 25_000, 4);
    long t0 = System.nanoTime();
    // 1e9 pairs fit an int count but not a 2 GiB buffer of float32.
    rejects(() -> BboxOverlaps.bboxOverlaps(a, b), "result", "4000000000 bytes", "Limits.MAX_BUFFER_BYTES");
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds to refuse").isLessThan(2.0);
  }

  @Test
  void priorGridsBeyondTheLevelLimitAreNamed() {
    AnchorGenerator g = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {0.5, 1, 2}, new double[] {8}));
    rejects(() -> g.gridPriorsFlat(0, 5000, 5000), "featmap_size (5000, 5000)", "Limits.MAX_LEVEL_PRIORS");
    rejects(() -> g.gridPriorsFlatDouble(0, 5000, 5000), "Limits.MAX_LEVEL_PRIORS");
    rejects(() -> g.singleLevelValidFlags(0, 100_000, 100_000, new int[] {100_000, 100_000}),
        "Limits.MAX_LEVEL_PRIORS");
  }

  @Test
  void anchorParameterListsAreBounded() {
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(8),
        new double[] {1}, 4, 1 << 30)), "scales_per_octave", "Limits.MAX_PRIOR_PARAMS", "1073741824");
    double[] many = new double[450_000];
    java.util.Arrays.fill(many, 1.0);
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8), many, new double[] {8}))
        , "the length of ratios",
        "Limits.MAX_PRIOR_PARAMS");
    double[] ratios = new double[1000];
    double[] scales = new double[1000];
    java.util.Arrays.fill(ratios, 1.0);
    java.util.Arrays.fill(scales, 2.0);
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8), ratios, scales)),
        "ratios x scales", "Limits.MAX_BASE_PRIORS");
  }

  @Test
  void anchorParametersMustStayFiniteInFloat32() {
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {1e-300}, new double[] {8})), "ratios[0]",
        "float32", "1.0E-300");
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(1e300),
        new double[] {1}, new double[] {8})), "stride", "float32");
    rejects(() -> Stride.of(8, 1e39), "stride", "float32");
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(8), new double[] {1}, 1e39, 3))
        , "octave_base_scale", "float32", "1.0E39");
    // Each value fits, their product does not.
    rejects(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8), new double[] {1},
        new double[] {1e37}).withBaseSizes(new double[] {1e10})),
        "base priors of level 0 overflow float32");
    AnchorGenerator wide = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(1e36),
        new double[] {1}, new double[] {1}).withBaseSizes(new double[] {8}));
    rejects(() -> wide.gridPriorsFlat(0, 1000, 1000), "beyond the float32 range");
  }

  @Test
  void atssCandidateMatrixBeyondAnArrayIsNamed() {
    int n = 100_000;
    int k = 30_000;
    float[] priors = new float[4 * n];
    for (int i = 0; i < n; i++) {
      priors[4 * i] = i;
      priors[4 * i + 1] = 0;
      priors[4 * i + 2] = i + 8;
      priors[4 * i + 3] = 8;
    }
    float[] gts = new float[4 * k];
    for (int j = 0; j < k; j++) {
      gts[4 * j] = j;
      gts[4 * j + 2] = j + 16;
      gts[4 * j + 3] = 16;
    }
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(n));
    rejects(() -> atss.assign(priors, new int[] {n}, gts, null, null), "ATSS candidate",
        "100000 x 30000", "Limits.MAX_ARRAY_LENGTH");
  }

  // ------------------------------------------------------------------ overflowing areas

  @ParameterizedTest
  @EnumSource(value = OverlapMode.class)
  void identicalHugeBoxesOverlapFully(OverlapMode mode) {
    INDArray f = boxes(DataType.FLOAT, 0, 0, 1e38, 1e38, 0, 0, 5e37, 1e38);
    INDArray iou = BboxOverlaps.bboxOverlaps(f, f, mode, false);
    assertThat(iou.getDouble(0, 0)).isEqualTo(1.0);
    assertThat(iou.getDouble(1, 1)).isEqualTo(1.0);
    assertThat(BboxOverlaps.bboxOverlaps(f, f, mode, true).getDouble(0)).isEqualTo(1.0);
    double half = mode == OverlapMode.IOF ? 1.0 : 0.5;
    assertThat(iou.getDouble(1, 0)).isEqualTo(half);
    INDArray d = boxes(DataType.DOUBLE, 0, 0, 1e200, 1e200, -1e300, -1e300, 1e300, 1e300);
    INDArray iouD = BboxOverlaps.bboxOverlaps(d, d, mode, false);
    assertThat(iouD.getDouble(0, 0)).isEqualTo(1.0);
    assertThat(iouD.getDouble(1, 1)).isEqualTo(1.0);
    for (double v : Tensors.toDoubles(iouD)) {
      assertThat(Double.isFinite(v)).isTrue();
    }
  }

  @Test
  void gradientsOfHugeBoxesAreANamedRangeErrorNotNaN() {
    INDArray f = boxes(DataType.FLOAT, 0, 0, 1e38, 1e38);
    rejects(() -> BboxOverlaps.vjp(f, f, OverlapMode.GIOU, false, 1e-6, Tensors.create(new double[] {1},
        DataType.FLOAT, 1, 1)), "gradients of bbox_overlaps", "2^62", "bboxes1 or bboxes2");
    rejects(() -> BboxOverlaps.alignedVjp(new double[] {0, 0, 1e200, 1e200}, new double[] {0, 0, 1, 1},
        OverlapMode.IOU, 1e-6, false, new double[] {1}), "2^510", "pred or target");
    rejects(() -> BboxOverlaps.alignedVjp(new double[] {0, 0, Double.NaN, 1}, new double[] {0, 0, 1, 1},
        OverlapMode.IOU, 1e-6, false, new double[] {1}), "pred must be finite; element 2 is NaN");
  }

  @Test
  void ordinaryPairsKeepTheirBitsNextToHugeOnes() {
    float[] small = {0.3f, 0.7f, 10.1f, 12.9f, 2, 2, 9.5f, 11};
    float[] withHuge = {0.3f, 0.7f, 10.1f, 12.9f, 2, 2, 9.5f, 11, 0, 0, 1e38f, 1e38f};
    float[] other = {1, 1, 8.25f, 13.5f, 0, 0, 3, 3};
    for (OverlapMode mode : OverlapMode.values()) {
      float[] plain = OverlapKernels.pairwise(small, other, mode, 1e-6f);
      float[] mixed = OverlapKernels.pairwise(withHuge, other, mode, 1e-6f);
      for (int i = 0; i < plain.length; i++) {
        assertThat(Float.floatToIntBits(mixed[i])).as("%s element %d", mode, i)
            .isEqualTo(Float.floatToIntBits(plain[i]));
      }
    }
  }

  @Test
  void nmsSuppressesIdenticalHugeBoxes() {
    float[] f = {0, 0, 1e38f, 1e38f, 0, 0, 1e38f, 1e38f, 0, 0, 1, 1};
    assertThat(Nms.nms(f, new float[] {0.9f, 0.8f, 0.7f}, 0.5f)).containsExactly(0, 2);
    double[] d = {0, 0, 1e200, 1e200, 0, 0, 1e200, 1e200};
    assertThat(Nms.nms(d, new double[] {0.9, 0.8}, 0.5)).containsExactly(0);
    // mmcv's offset 1 is scaled with the boxes.
    assertThat(Nms.batchedNms(f, new float[] {0.9f, 0.8f, 0.7f}, new int[] {0, 0, 0},
        NmsConfig.fromConfig(Config.of("type", "nms", "iou_threshold", 0.5, "offset", 1)))).containsExactly(0, 2);
  }

  @Test
  void atssTakesAPriorIdenticalToAHugeGt() {
    float[] priors = {0, 0, 1e38f, 1e38f, 0, 0, 10, 10, 20, 20, 30, 30};
    float[] gt = {0, 0, 1e38f, 1e38f};
    AssignResult r = new ATSSAssigner(ATSSAssigner.Params.of(9)).assign(priors, new int[] {3}, gt, null, null);
    assertThat(r.gtInd(0)).isEqualTo(1);
    assertThat(r.maxOverlap(0)).isEqualTo(1.0);
  }

  @Test
  void boxConversionsNearTheFloatMaximumStayFiniteOrAreNamed() {
    INDArray near = boxes(DataType.FLOAT, 3e38, 3e38, 3.2e38, 3.2e38);
    float[] c = Tensors.toFloats(Boxes.xyxyToCxcywh(near));
    assertThat(c[0]).isEqualTo(3.1e38f);
    assertThat(c[2]).isEqualTo((float) (3.2e38f - 3e38f));
    rejects(() -> Boxes.xyxyToCxcywh(boxes(DataType.FLOAT, -3e38, 0, 3e38, 1)), "boxes row 0", "overflows FLOAT");
    rejects(() -> Boxes.cxcywhToXyxy(boxes(DataType.FLOAT, 3e38, 0, 2e38, 1)), "boxes row 0", "overflows FLOAT");
    rejects(() -> Boxes.areas(boxes(DataType.FLOAT, 0, 0, 1e38, 1e38)), "boxes row 0", "area", "overflows FLOAT");
    rejects(() -> Boxes.areas(boxes(DataType.DOUBLE, 0, 0, 1e200, 1e200)), "overflows DOUBLE");
  }

  // ------------------------------------------------------------------ ids, scores, hyper-parameters

  @Test
  void int64IdsBeyondIntAreNamedIllegalArguments() {
    INDArray labels = Tensors.createLong(new long[] {1L << 32}, 1);
    MaxIoUAssigner maxIou = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4));
    rejects(() -> maxIou.assign(boxes(DataType.FLOAT, 0, 0, 10, 10), null, boxes(DataType.FLOAT, 0, 0, 10, 10),
        null, labels), "gt_labels element 0 must fit an int", "4294967296");
    rejects(() -> Nms.batchedNms(boxes(DataType.FLOAT, 0, 0, 10, 10), Tensors.create(new double[] {0.5},
        DataType.FLOAT, 1), Tensors.createLong(new long[] {-(1L << 40)}, 1), NmsConfig.of(0.5)),
        "idxs element 0 must fit an int");
  }

  @Test
  void nmsRefusesAScoreTimesFactorThatOverflows() {
    INDArray b = boxes(DataType.FLOAT, 0, 0, 10, 10);
    INDArray scores = Tensors.create(new double[] {3e38, 0}, DataType.FLOAT, 1, 2);
    rejects(() -> Nms.multiclassNms(b, scores, 0.05, NmsConfig.of(0.5), 100,
        Tensors.create(new double[] {10}, DataType.FLOAT, 1)), "multi_scores element 0", "score_factors element 0",
        "overflows float32");
    rejects(() -> Nms.nms(b, Tensors.create(new double[] {Double.POSITIVE_INFINITY}, DataType.FLOAT, 1), 0.5),
        "scores must be finite; element 0 is Infinity");
  }

  @Test
  void ddodAlphaOutsideTheUnitIntervalIsRefused() {
    rejects(() -> new ATSSAssigner(ATSSAssigner.Params.of(9).withAlpha(1.5)), "ATSSAssigner: alpha must be in [0, 1]; got 1.5");
    rejects(() -> ATSSAssigner.Params.of(9).withAlpha(-0.1), "alpha");
    assertThat(new ATSSAssigner(ATSSAssigner.Params.of(9).withAlpha(0.8)).params().alpha()).isEqualTo(0.8);
  }

  @Test
  void halfResultsBeyondFloat16AreNamedNotInfinite() {
    rejects(() -> Tensors.create(new double[] {1, 70_000}, DataType.HALF, 2), "HALF", "element 1 is 70000.0");
    rejects(() -> Tensors.create(new float[] {65_520f}, DataType.HALF, 1), "HALF");
    assertThat(Tensors.toDoubles(Tensors.create(new double[] {65_504}, DataType.HALF, 1))).containsExactly(65_504);
    // Scores of HALF detections times their factors leave float16: the detections would hold infinity.
    INDArray b = Tensors.create(new double[] {0, 0, 10, 10}, DataType.HALF, 1, 4);
    INDArray scores = Tensors.create(new double[] {60_000, 0}, DataType.HALF, 1, 2);
    rejects(() -> Nms.multiclassNms(b, scores, 0.05, NmsConfig.of(0.5), 100,
        Tensors.create(new double[] {2}, DataType.HALF, 1)), "HALF", "overflows");
  }

  // ------------------------------------------------------------------ empty results

  @Test
  void emptyResultsKeepTheirRank() {
    INDArray kept = Nms.nms(boxes(DataType.FLOAT, 0, 0, 10, 10), Tensors.create(new double[] {0.5}, DataType.FLOAT,
        1), 0.5);
    assertThat(kept.shape()).containsExactly(1);
    INDArray none = Nms.nms(Nd4j.create(DataType.FLOAT, 0, 4), Nd4j.create(DataType.FLOAT, 0), 0.5);
    assertThat(none.shape()).containsExactly(0);
    assertThat(none.rank()).isEqualTo(1);
    assertThat(Tensors.createLong(new long[0], 0).shape()).containsExactly(0);
    assertThat(Tensors.create(new double[0], DataType.FLOAT, 0, 4).shape()).containsExactly(0, 4);
    assertThat(BboxOverlaps.bboxOverlaps(Nd4j.create(DataType.FLOAT, 0, 4), boxes(DataType.FLOAT, 0, 0, 1, 1))
        .shape()).containsExactly(0, 1);
    AssignResult r = new MaxIoUAssigner(MaxIoUAssigner.Params.of(0.5, 0.4)).assign(
        Nd4j.create(DataType.FLOAT, 0, 4), null, boxes(DataType.FLOAT, 0, 0, 10, 10), null, null);
    assertThat(r.gtIndsArray().shape()).containsExactly(0);
    assertThat(r.maxOverlapsArray(DataType.FLOAT).shape()).containsExactly(0);
    AssignResult atss = new ATSSAssigner(ATSSAssigner.Params.of(9)).assign(Nd4j.create(DataType.FLOAT, 0, 4), null,
        Nd4j.create(DataType.FLOAT, 0, 4), null, Nd4j.create(DataType.INT64, 0));
    assertThat(atss.gtIndsArray().shape()).containsExactly(0);
    assertThat(atss.labelsArray().shape()).containsExactly(0);
    for (BBoxCoder coder : new BBoxCoder[] {new DeltaXYWHBBoxCoder(), new TBLRBBoxCoder(4, true)}) {
      INDArray noBoxes = Nd4j.create(DataType.FLOAT, 0, 4);
      assertThat(coder.encode(noBoxes, noBoxes).shape()).as("%s encode", coder).containsExactly(0, 4);
      assertThat(coder.decode(noBoxes, noBoxes, null).shape()).as("%s decode", coder).containsExactly(0, 4);
    }
  }

  @Test
  void float32EpsBeyondFloat32IsNamedWithItsValue() {
    INDArray f = boxes(DataType.FLOAT, 0, 0, 1, 1);
    rejects(() -> BboxOverlaps.bboxOverlaps(f, f, OverlapMode.IOU, false, 1e308), "eps", "1.0E308");
    assertThat(BboxOverlaps.bboxOverlaps(boxes(DataType.DOUBLE, 0, 0, 1, 1), boxes(DataType.DOUBLE, 0, 0, 1, 1),
        OverlapMode.IOU, false, 1e308).getDouble(0, 0)).isEqualTo(1 / 1e308);
  }

  @Test
  void tinyTargetStdsAreRefusedAtConstruction() {
    rejects(() -> DeltaXYWHBBoxCoder.of(new double[4], new double[] {1, 1e-320, 1, 1}), "target_stds[1]",
        "1.0E-320");
    rejects(() -> DeltaXYWHBBoxCoder.of(new double[] {0, 0, 1e39, 0}, new double[] {1, 1, 1, 1}),
        "target_means[2]", "1.0E39");
  }
}
