package io.detkit.heads;

import static io.detkit.heads.Tiny.EPS;
import static io.detkit.heads.Tiny.LN2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import io.detkit.losses.Reduction;
import io.detkit.heads.examples.IoUWeightedAnchorHead;
import io.detkit.samplers.RandomSampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * docs/customize_losses.md and its Chinese version: every code block in them is a tagged region of
 * code that compiles and that a test here (or the golden suite, for ATSSHead's own code) runs.
 */
class CustomizeLossesDocTest {
  private static final Path ROOT = Snippets.repoRoot();
  private static final Map<String, String> TAGGED = Snippets.tagged(ROOT.resolve("heads/src"));

  // Two anchors of one class: a positive (label 0) and a background one (label 1), logits 0.
  private final INDArray clsScores = Tensors.create(new double[] {0, 0}, DataType.FLOAT, 2, 1);
  private final INDArray labels = Tensors.createLong(new long[] {0, 1}, 2);
  private final INDArray labelWeights = Tensors.create(new double[] {1, 1}, DataType.FLOAT, 2);
  private final double numPositives = 1;
  // Focal loss at p = 0.5: alpha (1-p)^2 ln 2 for the positive, (1-alpha) p^2 ln 2 for the background.
  private static final double FOCAL_SUM = (0.25 * 0.25 + 0.75 * 0.25) * LN2;

  private static Config python(String tag) {
    String source = TAGGED.get(tag);
    assertThat(source).as("tagged Python region '%s'", tag).isNotNull();
    return ConfigLoader.fromPython(source, tag + ".py");
  }

  @Test
  void everyCodeBlockOfTheDocsIsTestedCode() {
    Set<String> english = checkDoc(ROOT.resolve("docs/customize_losses.md"));
    Set<String> chinese = checkDoc(ROOT.resolve("docs/zh_cn/customize_losses.md"));
    assertThat(chinese).isEqualTo(english);
    assertThat(english).contains("pipeline", "rpn-sampler", "focal-default", "focal-gamma-alpha", "focal-sum",
        "focal-loss-weight", "atss-refine-targets", "atss-batch-targets", "iou-weighted-head",
        "iou-weighted-transform", "qfl-atss-head", "qfl-atss-usage", "iou-branch-head", "iou-branch-usage",
        "fcos-config", "fcos-usage", "gfl-config", "gfl-integral", "tood-config", "tood-usage");
  }

  private static Set<String> checkDoc(Path doc) {
    Set<String> names = new TreeSet<>();
    for (Snippets.Block b : Snippets.blocks(doc)) {
      assertThat(b.name()).as("%s:%d: a code block without a <!-- snippet: name --> marker", doc, b.line())
          .isNotNull();
      assertThat(TAGGED).as("%s:%d: no tagged region '%s' under heads/src", doc, b.line(), b.name())
          .containsKey(b.name());
      assertThat(b.code()).as("%s:%d: snippet '%s' differs from its tagged region", doc, b.line(), b.name())
          .isEqualTo(TAGGED.get(b.name()));
      names.add(b.name());
    }
    return names;
  }

  @Test
  void theFiveSteps() {
    // tag::pipeline[]
    Loss focal = Losses.build(Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", 2.0, "alpha", 0.25));
    LossResult r = focal.forward(LossArgs.of(clsScores, labels) // step 2: the kernel, element by element
        .weight(labelWeights)                                   // step 3: element-wise weights
        .avgFactor(numPositives));                              // step 4: sum / (avg_factor + eps)
    double value = r.scalar();                                  // step 5: already times loss_weight
    INDArray grad = r.gradPred();                               // d value / d clsScores
    // end::pipeline[]
    assertThat(value).isCloseTo(FOCAL_SUM / (1 + EPS), within(1e-6));
    assertThat(grad.shape()).containsExactly(2, 1);
  }

  @Test
  void rpnSamplesWithARandomSampler() {
    String source = TAGGED.get("rpn-sampler");
    // tag::rpn-sampler-java[]
    Config file = ConfigLoader.fromPython(source, "rpn.py");  // or ConfigLoader.fromFile(path)
    BaseDenseHead rpn = Heads.build(file.getConfig("rpn_head"));
    boolean samples = rpn.sampling();  // true: a RandomSampler and a loss that does not balance itself
    // end::rpn-sampler-java[]
    assertThat(samples).isTrue();
    assertThat(rpn.sampler()).isInstanceOf(RandomSampler.class);

    // tag::rpn-sampler-builder[]
    RPNHead built = Heads.rpnHead()
        .params(p -> p
            .withAnchorGenerator(CoreRegistries.buildPriorGenerator(Config.of("type", "AnchorGenerator",
                "scales", List.of(8), "ratios", List.of(0.5, 1.0, 2.0), "strides", List.of(4, 8, 16, 32, 64))))
            .withLossBbox(Losses.build(Config.of("type", "L1Loss")))
            .withTrainCfg(TrainConfig.of(
                Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.7, "neg_iou_thr", 0.3, "min_pos_iou", 0.3),
                Config.of("type", "RandomSampler", "num", 256, "pos_fraction", 0.5, "add_gt_as_proposals", false),
                -1, -1)))
        .build();
    // end::rpn-sampler-builder[]
    assertThat(built.sampling()).isTrue();
    HeadOutputs outs = zeroOutputs(3, 1, 64, new int[] {4, 8, 16, 32, 64});
    List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(10, 12, 40, 44), null));
    List<ImageMeta> metas = List.of(ImageMeta.ofSize(64, 64));
    HeadLoss a = rpn.loss(outs, gts, metas);
    HeadLoss b = built.loss(outs, gts, metas);
    assertThat(a.names()).containsExactly("loss_rpn_cls", "loss_rpn_bbox");
    assertThat(b.get("loss_rpn_cls")).containsExactly(a.get("loss_rpn_cls"));
    assertThat(b.get("loss_rpn_bbox")).containsExactly(a.get("loss_rpn_bbox"));
  }

  private static HeadOutputs zeroOutputs(int anchors, int classes, int size, int[] strides) {
    List<INDArray> cls = new ArrayList<>();
    List<INDArray> box = new ArrayList<>();
    for (int s : strides) {
      int f = (size + s - 1) / s;
      cls.add(Tensors.create(new double[anchors * classes * f * f], DataType.FLOAT, 1, anchors * classes, f, f));
      box.add(Tensors.create(new double[anchors * 4 * f * f], DataType.FLOAT, 1, anchors * 4, f, f));
    }
    return HeadOutputs.of(cls, box);
  }

  @Test
  void focalLossClassAndConfigCorrespond() {
    Loss fromConfig = Losses.build(python("focal-default").getConfig("loss_cls"));
    // tag::focal-builder[]
    FocalLoss focal = FocalLoss.TYPE.builder().params(p -> p.withGamma(2.0).withAlpha(0.25))
        .options(o -> o.withLossWeight(1.0)).build();
    // end::focal-builder[]
    LossArgs args = LossArgs.of(clsScores, labels).weight(labelWeights).avgFactor(numPositives);
    assertThat(focal.forward(args).scalar()).isEqualTo(fromConfig.forward(args).scalar());
    assertThat(focal.toString()).isEqualTo(fromConfig.toString());
  }

  @Test
  void gammaAndAlpha() {
    Loss fromConfig = Losses.build(python("focal-gamma-alpha").getConfig("loss_cls"));
    // tag::focal-gamma-alpha-java[]
    Loss focal = FocalLoss.TYPE.builder().params(p -> p.withGamma(1.5).withAlpha(0.5)).build();
    // end::focal-gamma-alpha-java[]
    LossArgs args = LossArgs.of(clsScores, labels).weight(labelWeights).avgFactor(numPositives);
    double expected = (0.5 * Math.pow(0.5, 1.5) + 0.5 * Math.pow(0.5, 1.5)) * LN2 / (1 + EPS);
    assertThat(focal.forward(args).scalar()).isCloseTo(expected, within(1e-6));
    assertThat(fromConfig.forward(args).scalar()).isCloseTo(expected, within(1e-6));
  }

  @Test
  void sumReduction() {
    Loss fromConfig = Losses.build(python("focal-sum").getConfig("loss_cls"));
    assertThat(fromConfig.reduction()).isEqualTo(Reduction.SUM);
    // tag::focal-sum-java[]
    Loss summed = FocalLoss.TYPE.builder().options(o -> o.withReduction(Reduction.SUM)).build();
    double total = summed.forward(LossArgs.of(clsScores, labels).weight(labelWeights)).scalar();
    // end::focal-sum-java[]
    assertThat(total).isCloseTo(FOCAL_SUM, within(1e-6));
    // A head always passes avg_factor, which 'sum' refuses, as in MMDetection.
    Config head = Tiny.headConfig("RetinaHead", -1, 0, -1).with("loss_cls", python("focal-sum").getConfig("loss_cls"));
    assertThatThrownBy(() -> Heads.build(head).loss(Tiny.outputs(1, 0, 0), List.of(Tiny.noGt()),
        List.of(Tiny.meta(32, 32))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avg_factor can not be used with");
  }

  @Test
  void lossWeight() {
    Loss fromConfig = Losses.build(python("focal-loss-weight").getConfig("loss_cls"));
    // tag::focal-loss-weight-java[]
    Loss half = FocalLoss.TYPE.builder().params(p -> p.withGamma(2.0).withAlpha(0.25))
        .options(o -> o.withLossWeight(0.5)).build();
    // end::focal-loss-weight-java[]
    LossArgs args = LossArgs.of(clsScores, labels).weight(labelWeights).avgFactor(numPositives);
    assertThat(half.forward(args).scalar()).isCloseTo(0.5 * FOCAL_SUM / (1 + EPS), within(1e-6));
    assertThat(fromConfig.forward(args).scalar()).isEqualTo(half.forward(args).scalar());
  }

  @Test
  void atssWeightsItsBoxLossByCenterness() {
    Config cfg = Tiny.headConfig("ATSSHead", -1, 0, -1)
        .with("loss_cls", Config.of("type", "FocalLoss", "use_sigmoid", true))
        .with("loss_bbox", Config.of("type", "GIoULoss", "loss_weight", 2.0))
        .with("train_cfg", Config.of("assigner", Config.of("type", "ATSSAssigner", "topk", 9), "allowed_border", -1,
            "pos_weight", -1));
    ATSSHead atss = (ATSSHead) Heads.build(cfg);
    List<int[]> featmapSizes = List.of(new int[] {2, 2});
    List<ImageMeta> metas = List.of(Tiny.meta(32, 32));
    // The gt's IoU with anchor 3 (0.75) is the only one above mean + std of the candidates' IoUs.
    List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(8, 8, 24, 20), Tiny.labels(0)));
    // tag::atss-usage[]
    MultiLevelAnchors anchors = atss.getAnchors(featmapSizes, metas, DataType.FLOAT);
    HeadTargets targets = atss.getTargets(anchors, gts, metas, atss.labelChannels()).orElseThrow();
    INDArray weights = targets.extra(ATSSHead.CENTERNESS_TARGETS, 0).orElseThrow();  // [N, A_0]
    // end::atss-usage[]
    assertThat(targets.labelsData(0)).containsExactly(1, 1, 1, 0);
    // Anchor 3's centre (16,16) in (8,8,24,20): left = right = 8, top 8, bottom 4.
    assertThat(Tensors.toDoubles(weights)).containsExactly(new double[] {0, 0, 0, Math.sqrt(0.5)}, within(1e-6));
    assertThat(TAGGED.get("atss-batch-targets")).contains("withCenternessTargets");
  }

  @Test
  void weightingPositivesByIoU() {
    Config file = python("iou-weighted-config");
    HeadOutputs outputs = Tiny.outputs(1, 0.0, 0.0);
    List<GroundTruth> gts = List.of(GroundTruth.of(Tiny.boxes(8, 8, 24, 20, -8, -8, 6, 8), Tiny.labels(0, 0)));
    List<ImageMeta> metas = List.of(Tiny.meta(32, 32));
    // tag::iou-weighted-usage[]
    if (!Heads.REGISTRY.contains("IoUWeightedAnchorHead")) {
      Heads.REGISTRY.register("IoUWeightedAnchorHead", c -> IoUWeightedAnchorHead.builder().fromConfig(c));
    }
    BaseDenseHead head = Heads.build(file.getConfig("bbox_head"));
    HeadLoss loss = head.loss(outputs, gts, metas);
    double[] weights = loss.targets().orElseThrow().labelWeightsData(0);  // level 0, image after image
    // end::iou-weighted-usage[]
    assertThat(weights).containsExactly(new double[] {0.875, 1, 1, 0.75}, within(1e-12));
    assertThat(loss.get("loss_cls", 0)).isCloseTo(3.625 * LN2 / (2 + EPS), within(1e-6));
  }
}
