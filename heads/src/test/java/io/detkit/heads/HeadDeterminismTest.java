package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-image target computation runs in parallel; with random sampling (RPN, RandomSampler drawing
 * a few of many negatives) the results must not depend on the executor or its thread count.
 */
class HeadDeterminismTest {
  private static final ExecutorService FOUR = Executors.newFixedThreadPool(4);
  private static final ExecutorService ONE = Executors.newSingleThreadExecutor();
  private static final int IMAGES = 6;

  @AfterAll
  static void shutdown() {
    FOUR.shutdownNow();
    ONE.shutdownNow();
  }

  private static Config rpnConfig(long seed) {
    Config assigner = Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.7, "neg_iou_thr", 0.3, "min_pos_iou",
        0.3, "ignore_iof_thr", -1);
    Config sampler = Config.of("type", "RandomSampler", "num", 16, "pos_fraction", 0.5, "neg_pos_ub", -1,
        "add_gt_as_proposals", false);
    return Config.of("type", "RPNHead", "in_channels", 8,
        "anchor_generator", Config.of("type", "AnchorGenerator", "scales", List.of(4), "ratios",
            List.of(0.5, 1.0, 2.0), "strides", List.of(8, 16)),
        "loss_cls", Config.of("type", "CrossEntropyLoss", "use_sigmoid", true),
        "loss_bbox", Config.of("type", "L1Loss"),
        "train_cfg", Config.of("assigner", assigner, "sampler", sampler, "allowed_border", 0, "pos_weight", -1),
        "seed", seed);
  }

  private static RPNHead head(java.util.concurrent.Executor executor, long seed) {
    return new RPNHead.Builder().params(p -> p.withExecutor(executor)).fromConfig(rpnConfig(seed));
  }

  private static HeadOutputs outputs() {
    SplittableRandom r = new SplittableRandom(7);
    List<INDArray> cls = new ArrayList<>();
    List<INDArray> box = new ArrayList<>();
    int[][] sizes = {{16, 16}, {8, 8}};
    for (int[] s : sizes) {
      cls.add(random(r, IMAGES, 3, s));
      box.add(random(r, IMAGES, 12, s));
    }
    return HeadOutputs.of(cls, box);
  }

  private static INDArray random(SplittableRandom r, int n, int c, int[] hw) {
    double[] d = new double[n * c * hw[0] * hw[1]];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextDouble(-1, 1);
    }
    return Tensors.create(d, DataType.FLOAT, n, c, hw[0], hw[1]);
  }

  private static List<GroundTruth> gts() {
    List<GroundTruth> out = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      double o = 2 * i;
      out.add(GroundTruth.of(Tiny.boxes(4 + o, 6, 30 + o, 28, 20, 18 + o, 50, 60, 33, 2, 61, 20 + o), null));
    }
    return out;
  }

  private static List<ImageMeta> metas() {
    List<ImageMeta> out = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      out.add(ImageMeta.ofSize(128, 128));
    }
    return out;
  }

  private static List<Object> fingerprint(HeadLoss loss) {
    HeadTargets t = loss.targets().orElseThrow();
    List<Object> f = new ArrayList<>();
    for (int l = 0; l < t.numLevels(); l++) {
      f.add(java.util.Arrays.toString(t.labelsData(l)));
      f.add(java.util.Arrays.toString(t.labelWeightsData(l)));
      f.add(java.util.Arrays.toString(t.bboxWeightsData(l)));
    }
    f.add(loss.toString());
    f.add(java.util.Arrays.toString(Tensors.toDoubles(loss.grads().get(HeadOutputs.CLS_SCORES, 0))));
    return f;
  }

  @Test
  void samplingGivesTheSameTargetsOnAnyExecutor() {
    HeadOutputs outs = outputs();
    List<Object> sequential = fingerprint(head(null, 11).loss(outs, gts(), metas()));
    List<Object> single = fingerprint(head(ONE, 11).loss(outs, gts(), metas()));
    List<Object> four = fingerprint(head(FOUR, 11).loss(outs, gts(), metas()));
    List<Object> common = fingerprint(head(ForkJoinPool.commonPool(), 11).loss(outs, gts(), metas()));
    assertThat(single).isEqualTo(sequential);
    assertThat(four).isEqualTo(sequential);
    assertThat(common).isEqualTo(sequential);
  }

  @Test
  void theSamplerReallyChoosesAndEachCallDrawsAnew() {
    RPNHead h = head(FOUR, 11);
    HeadOutputs outs = outputs();
    HeadLoss first = h.loss(outs, gts(), metas());
    HeadTargets t = first.targets().orElseThrow();
    assertThat(h.sampling()).isTrue();
    for (ImageTargets it : t.images()) {
      // 16 samples per image out of hundreds of negatives.
      assertThat(it.numPositives() + it.numNegatives()).isEqualTo(16);
      assertThat(it.assignResult().numNegative()).isGreaterThan(100);
    }
    HeadLoss second = h.loss(outs, gts(), metas());
    assertThat(fingerprint(second)).isNotEqualTo(fingerprint(first));
    // A fresh head with the same seed replays the first call.
    assertThat(fingerprint(head(null, 11).loss(outs, gts(), metas()))).isEqualTo(fingerprint(first));
    assertThat(fingerprint(head(null, 12).loss(outs, gts(), metas()))).isNotEqualTo(fingerprint(first));
  }

  @Test
  void anExplicitGeneratorReplaysTargets() {
    RPNHead h = head(FOUR, 0);
    MultiLevelAnchors anchors = h.getAnchors(List.of(new int[] {16, 16}, new int[] {8, 8}), metas(), DataType.FLOAT);
    List<GroundTruth> gts = new ArrayList<>();
    for (GroundTruth g : gts()) {
      gts.add(g.withoutLabels());
    }
    HeadTargets a = h.getTargets(anchors, gts, metas(), 1, new SplittableRandom(5)).orElseThrow();
    HeadTargets b = head(null, 99).getTargets(anchors, gts, metas(), 1, new SplittableRandom(5)).orElseThrow();
    for (int l = 0; l < 2; l++) {
      assertThat(a.labelWeightsData(l)).containsExactly(b.labelWeightsData(l));
    }
  }
}
