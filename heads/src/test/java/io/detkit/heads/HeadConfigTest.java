package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.CoreRegistries;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.nms.NmsConfig;
import io.detkit.losses.Losses;
import io.detkit.samplers.PseudoSampler;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Building heads from MMDetection config dicts and from Java builders. */
class HeadConfigTest {
  private static final Config ASSIGNER = Config.of("type", "MaxIoUAssigner", "pos_iou_thr", 0.5, "neg_iou_thr",
      0.4, "min_pos_iou", 0, "ignore_iof_thr", -1);
  private static final Config TRAIN = Config.of("assigner", ASSIGNER, "allowed_border", -1, "pos_weight", -1,
      "debug", false);
  private static final Config SAMPLER = Config.of("type", "RandomSampler", "num", 256, "pos_fraction", 0.5,
      "neg_pos_ub", -1, "add_gt_as_proposals", false);

  private static Config retina() {
    return Config.of("type", "RetinaHead", "num_classes", 3, "in_channels", 256, "stacked_convs", 4,
        "feat_channels", 256, "conv_cfg", null, "norm_cfg", null,
        "init_cfg", Config.of("type", "Normal", "layer", "Conv2d", "std", 0.01),
        "anchor_generator", Tiny.anchorGenerator(),
        "loss_cls", Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", 2.0, "alpha", 0.25),
        "loss_bbox", Config.of("type", "L1Loss", "loss_weight", 1.0), "train_cfg", TRAIN);
  }

  @Test
  void everyHeadTypeIsRegistered() {
    assertThat(Heads.REGISTRY.types()).contains("AnchorHead", "RPNHead", "RetinaHead", "ATSSHead");
    assertThat(Heads.build(retina())).isInstanceOf(RetinaHead.class);
  }

  @Test
  void convolutionKeysAreAcceptedAndIgnored() {
    AnchorHead h = Heads.build(retina(), AnchorHead.class);
    assertThat(h.numClasses()).isEqualTo(3);
    assertThat(h.clsOutChannels()).isEqualTo(3);
    Config plain = retina().with("type", "AnchorHead");
    assertThat(Heads.build(plain).type()).isEqualTo("AnchorHead");
  }

  /** A misspelt key at each depth of a head dict, and the path the message must name. */
  static Stream<Arguments> misspeltKeys() {
    Config test = Config.of("score_thr", 0.05, "nms", Config.of("type", "nms", "iou_threshold", 0.5),
        "max_per_img", 100, "nms_pree", 3);
    return Stream.of(
        Arguments.of("num_clases", retina().with("num_clases", 3)),
        Arguments.of("train_cfg.alowed_border", retina().with("train_cfg", TRAIN.with("alowed_border", 0))),
        Arguments.of("test_cfg.nms_pree", retina().with("test_cfg", test)),
        Arguments.of("gama", retina().with("loss_cls", Config.of("type", "FocalLoss", "gama", 1.5))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misspeltKeys")
  void unknownKeysAreRejectedWithTheirPath(String path, Config config) {
    assertThatThrownBy(() -> Heads.build(config)).isInstanceOf(ConfigException.class).hasMessageContaining(path);
  }

  @Test
  void rpnIsClassAgnosticAndRejectsNumClasses() {
    Config rpn = retina().with("type", "RPNHead").without("num_classes").with("num_convs", 1)
        .with("loss_cls", Config.of("type", "CrossEntropyLoss", "use_sigmoid", true));
    AnchorHead h = Heads.build(rpn, AnchorHead.class);
    assertThat(h).isInstanceOf(RPNHead.class);
    assertThat(h.numClasses()).isEqualTo(1);
    assertThatThrownBy(() -> Heads.build(rpn.with("num_classes", 2)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num_classes");
  }

  @Test
  void samplingFollowsTheSamplerAndTheLoss() {
    Config ce = retina().with("loss_cls", Config.of("type", "CrossEntropyLoss", "use_sigmoid", true));
    // A real sampler with a plain loss samples.
    AnchorHead sampled = Heads.build(ce.with("train_cfg", TRAIN.with("sampler", SAMPLER)), AnchorHead.class);
    assertThat(sampled.sampling()).isTrue();
    assertThat(sampled.sampler()).isNotInstanceOf(PseudoSampler.class);
    // No sampler, or the PseudoSampler, or a focal-family loss: no sampling.
    assertThat(Heads.build(ce).sampling()).isFalse();
    assertThat(Heads.build(ce.with("train_cfg", TRAIN.with("sampler", Config.of("type", "PseudoSampler"))))
        .sampling()).isFalse();
    AnchorHead focal = Heads.build(retina().with("train_cfg", TRAIN.with("sampler", SAMPLER)), AnchorHead.class);
    assertThat(focal.sampling()).isFalse();
    assertThat(focal.sampler()).isInstanceOf(PseudoSampler.class);
  }

  @Test
  void softmaxClassificationAddsABackgroundChannel() {
    Config softmax = retina().with("loss_cls", Config.of("type", "CrossEntropyLoss", "use_sigmoid", false));
    AnchorHead h = Heads.build(softmax, AnchorHead.class);
    assertThat(h.useSigmoidCls()).isFalse();
    assertThat(h.clsOutChannels()).isEqualTo(4);
    assertThat(h.labelChannels()).isEqualTo(1);
    // MMDetection reads use_sigmoid from the dict with default False, whatever the loss's own default.
    assertThat(Heads.build(retina().with("loss_cls", Config.of("type", "FocalLoss"))).clsOutChannels()).isEqualTo(4);
  }

  @Test
  void defaultsAreMmdetections() {
    AnchorHead retina = Heads.build(Config.of("type", "RetinaHead", "num_classes", 80, "in_channels", 256), AnchorHead.class);
    assertThat(retina.numLevels()).isEqualTo(5);
    assertThat(retina.numBaseAnchors(0)).isEqualTo(9);
    assertThat(retina.lossCls().type()).isEqualTo("CrossEntropyLoss");
    assertThat(retina.lossBbox().type()).isEqualTo("SmoothL1Loss");
    assertThat(retina.regDecodedBbox()).isFalse();
    assertThat(retina.trainCfg()).isEmpty();
    AnchorHead anchor = Heads.build(Config.of("type", "AnchorHead", "num_classes", 80, "in_channels", 256), AnchorHead.class);
    assertThat(anchor.numBaseAnchors(0)).isEqualTo(9);
    assertThat(anchor.anchorGenerator().strides()).hasSize(5);
    ATSSHead atss = (ATSSHead) Heads.build(Config.of("type", "ATSSHead", "num_classes", 80, "in_channels", 256));
    assertThat(atss.regDecodedBbox()).isTrue();
    assertThat(atss.lossCenterness().type()).isEqualTo("CrossEntropyLoss");
    assertThatThrownBy(() -> Heads.build(Config.of("type", "RetinaHead", "in_channels", 256)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num_classes");
  }

  @Test
  void aBuilderMakesTheSameHeadAsItsConfig() {
    RetinaHead built = Heads.retinaHead()
        .params(p -> p.withNumClasses(3)
            .withAnchorGenerator(CoreRegistries.buildPriorGenerator(Tiny.anchorGenerator()))
            .withLossCls(Losses.build(
                Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", 2.0, "alpha", 0.25)))
            .withLossBbox(Losses.build(Config.of("type", "L1Loss")))
            .withTrainCfg(TrainConfig.of(ASSIGNER, null, -1, -1))
            .withTestCfg(TestConfig.of(1000, 0.05, 0.5, 100)))
        .build();
    AnchorHead fromConfig = Heads.build(retina(), AnchorHead.class);
    GroundTruth gt = GroundTruth.of(Tiny.boxes(8, 8, 24, 20), Tiny.labels(2));
    HeadOutputs outs = HeadOutputs.of(List.of(Tiny.filled(1, 3, 0.3)), List.of(Tiny.filled(1, 4, 0.1)));
    HeadLoss a = built.loss(outs, List.of(gt), List.of(Tiny.meta(32, 32)));
    HeadLoss b = fromConfig.loss(outs, List.of(gt), List.of(Tiny.meta(32, 32)));
    assertThat(a.get("loss_cls", 0)).isEqualTo(b.get("loss_cls", 0));
    assertThat(a.get("loss_bbox", 0)).isEqualTo(b.get("loss_bbox", 0));
    assertThat(a.total()).isGreaterThan(0);
    assertThat(built.predict(outs, List.of(Tiny.meta(32, 32))).get(0).size()).isEqualTo(4 * 3);
  }

  @Test
  void trainAndTestConfigsReadMmdetectionDicts() {
    TrainConfig t = TrainConfig.fromConfig(TRAIN.with("sampler", SAMPLER).with("pos_weight", 2.0));
    assertThat(t.allowedBorder()).isEqualTo(-1);
    assertThat(t.posWeight()).isEqualTo(2.0);
    assertThat(t.sampler()).contains(SAMPLER);
    assertThat(TrainConfig.fromConfig(Config.of("assigner", ASSIGNER)).allowedBorder()).isEqualTo(-1);
    assertThatThrownBy(() -> TrainConfig.fromConfig(Config.of("allowed_border", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("assigner");

    TestConfig rpn = TestConfig.fromConfig(Config.of("nms_pre", 2000, "max_per_img", 1000, "nms",
        Config.of("type", "nms", "iou_threshold", 0.7), "min_bbox_size", 0));
    assertThat(rpn.scoreThr()).isEmpty();
    assertThat(rpn.nms().orElseThrow().iouThreshold()).isEqualTo(0.7);
    assertThat(rpn.nmsPre()).isEqualTo(2000);
    TestConfig noPre = TestConfig.fromConfig(Config.of("score_thr", 0.05, "max_per_img", 100));
    assertThat(noPre.nmsPre()).isEqualTo(-1);
    assertThat(noPre.nms()).isEmpty();
    assertThatThrownBy(() -> TestConfig.fromConfig(Config.of("max_per_img", 1, "nms",
        Config.of("type", "soft_nms", "iou_threshold", 0.5))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("soft_nms");
    assertThat(TestConfig.of(10, 0, 0.1, NmsConfig.of(0.3), 5).maxPerImg()).isEqualTo(5);
  }

  @Test
  void imageMetasReadMmdetectionDicts() {
    ImageMeta m = ImageMeta.fromConfig(Config.of("img_shape", List.of(90, 100, 3), "pad_shape", List.of(96, 128, 3),
        "ori_shape", List.of(180, 200, 3), "scale_factor", List.of(0.5, 0.5, 0.5, 0.5), "filename", "x.jpg"));
    assertThat(m.imgHeight()).isEqualTo(90);
    assertThat(m.padWidth()).isEqualTo(128);
    assertThat(m.scaleFactor().toArray()).containsExactly(0.5, 0.5, 0.5, 0.5);
    ImageMeta scalar = ImageMeta.fromConfig(Config.of("img_shape", List.of(10, 20), "scale_factor", 2.0));
    assertThat(scalar.scaleFactor().toArray()).containsExactly(2.0, 2.0, 2.0, 2.0);
    assertThat(scalar.padShape().toArray()).containsExactly(10, 20);
    assertThatThrownBy(() -> ImageMeta.fromConfig(Config.of("img_shape", List.of(10))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("img_shape");
    assertThatThrownBy(() -> ImageMeta.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 0.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale_factor");
  }

  @Test
  void posWeightWeightsPositives() {
    Config c = Tiny.headConfig("AnchorHead", -1, 0.0, -1);
    Config twice = c.with("train_cfg", c.getConfig("train_cfg").with("pos_weight", 2.0));
    GroundTruth gt = GroundTruth.of(Tiny.boxes(8, 8, 24, 24), Tiny.labels(0));
    HeadLoss loss = Heads.build(twice).loss(Tiny.outputs(1, 0.0, 0.0), List.of(gt), List.of(Tiny.meta(32, 32)));
    assertThat(loss.targets().orElseThrow().labelWeightsData(0)).containsExactly(1, 1, 1, 2);
    assertThat(loss.get("loss_cls", 0)).isCloseTo(5 * Tiny.LN2 / (1 + Tiny.EPS), within(1e-6));
  }
}
