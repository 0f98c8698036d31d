package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import io.detkit.core.tensor.Tensors;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Heads#fromModel} on MMDetection-style config files ({@code model_configs/}, loaded with
 * their {@code _base_} chains): every head type is built with the detector-level settings a
 * detector would hand it, and one {@code loss()} call runs on it.
 */
class HeadsFromModelTest {
  private static Config model(String file) {
    try {
      Path p = Paths.get(HeadsFromModelTest.class.getResource("model_configs/" + file).toURI());
      return ConfigLoader.fromFile(p).getConfig("model");
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** Random outputs for a 64x64 image on strides 8 and 16, with the channels the head expects. */
  private static HeadOutputs outputs(BaseDenseHead head) {
    Random rnd = new Random(7);
    HeadOutputs out = HeadOutputs.empty();
    int[] sizes = {8, 4};
    for (String name : head.outputNames()) {
      List<INDArray> levels = new ArrayList<>();
      for (int l = 0; l < sizes.length; l++) {
        int c = head.outputChannels(name, l);
        float[] v = new float[c * sizes[l] * sizes[l]];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        levels.add(Tensors.create(v, DataType.FLOAT, 1, c, sizes[l], sizes[l]));
      }
      out = out.with(name, levels);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "anchor_head.py, AnchorHead, 3",
      "retina_head.py, RetinaHead, 3",
      "atss_head.py, ATSSHead, 3",
      "faster_rcnn_rpn.py, RPNHead, 1",
      "rpn.yaml, RPNHead, 1",
      "fcos_head.py, FCOSHead, 3"})
  void buildsEveryHeadTypeFromAModelAndComputesALoss(String file, String type, int numClasses) {
    BaseDenseHead head = Heads.fromModel(model(file));
    assertThat(head.type()).isEqualTo(type);
    assertThat(head.numClasses()).isEqualTo(numClasses);
    assertThat(head.trainCfg()).isPresent();
    assertThat(head.testCfg()).isPresent();
    GroundTruth gt = GroundTruth.of(Tensors.create(new double[] {8, 10, 40, 44, 30, 4, 60, 30}, DataType.FLOAT, 2, 4),
        Tensors.createLong(new int[] {0, numClasses - 1}, 2));
    ImageMeta meta = ImageMeta.of(new int[] {64, 64, 3}, new int[] {64, 64, 3}, new int[] {64, 64, 3}, 1.0);
    HeadLoss loss = head.loss(outputs(head), List.of(gt), List.of(meta));
    assertThat(loss.total()).isFinite().isPositive();
  }

  @Test
  void aSingleStageHeadGetsTheDetectorsTrainAndTestCfg() {
    Config model = model("atss_head.py");
    Config head = Heads.headConfig(model);
    assertThat(head.getConfig("train_cfg")).isEqualTo(model.getConfig("train_cfg"));
    assertThat(head.getConfig("train_cfg").getConfig("assigner").toString())
        .isEqualTo("dict(type='ATSSAssigner', topk=9)");
    assertThat(head.getConfig("test_cfg").getConfig("nms").getDouble("iou_threshold")).isEqualTo(0.6);
    assertThat(head.getConfig("train_cfg").path()).isEqualTo("model.bbox_head.train_cfg");
  }

  @Test
  void aTwoStageRpnHeadGetsTheRpnEntriesAndTheProposalSettingsAreRpnProposal() {
    Config model = model("faster_rcnn_rpn.py");
    Config head = Heads.headConfig(model);
    assertThat(head.getConfig("train_cfg")).isEqualTo(model.getConfig("train_cfg").getConfig("rpn"));
    assertThat(head.getConfig("test_cfg")).isEqualTo(model.getConfig("test_cfg").getConfig("rpn"));
    AnchorHead rpn = Heads.fromModel(model, AnchorHead.class);
    assertThat(rpn.sampling()).isTrue();
    assertThat(rpn.testCfg().orElseThrow().maxPerImg()).isEqualTo(300);
    assertThat(Heads.rpnProposalConfig(model).orElseThrow().nmsPre()).isEqualTo(2000);
    // without rpn_proposal, the proposals use test_cfg.rpn, as TwoStageDetector.forward_train does
    Config noProposal = model.withPath("train_cfg.rpn_proposal", null);
    assertThat(Heads.rpnProposalConfig(noProposal).orElseThrow().nmsPre()).isEqualTo(1000);
    assertThat(Heads.rpnProposalConfig(model("retina_head.py"))).isEmpty();
  }

  @Test
  void aModelWithoutTrainCfgBuildsAHeadThatCanOnlyPredict() {
    AnchorHead head = Heads.fromModel(model("retina_head.py").without("train_cfg"), AnchorHead.class);
    assertThat(head.trainCfg()).isEmpty();
    assertThat(head.testCfg()).isPresent();
  }

  @Test
  void anFcosModelGivesAPointHeadWithoutAssignerThatPredicts() {
    BaseDenseHead head = Heads.fromModel(model("fcos_head.py"));
    assertThat(head).isInstanceOf(io.detkit.heads.anchorfree.FCOSHead.class);
    assertThat(head.outputNames()).containsExactly("cls_scores", "bbox_preds", "centernesses");
    assertThat(head.outputChannels("cls_scores", 1)).isEqualTo(3);
    assertThat(head.outputChannels("centernesses", 0)).isEqualTo(1);
    assertThat(head.stride(1)).isEqualTo(16);
    assertThat(head.numBasePriors(0)).isEqualTo(1);
    // The detector's train_cfg is handed over and checked, but FCOS builds no assigner from it.
    assertThat(head.trainCfg()).isPresent();
    assertThat(head.assigner()).isEmpty();
    ImageMeta meta = ImageMeta.of(new int[] {64, 64, 3}, new int[] {64, 64, 3}, new int[] {64, 64, 3}, 1.0);
    assertThat(head.predict(outputs(head), List.of(meta)).get(0).size()).isLessThanOrEqualTo(100);
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> Heads.fromModel(model("fcos_head.py"), AnchorHead.class));
    assertThat(e.getMessage()).contains("FCOSHead").contains("AnchorHead");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // a TOOD-only train_cfg key
      "train_cfg.initial_epoch | 4 | initial_epoch",
      // a head key put into train_cfg
      "train_cfg.center_sampling | true | center_sampling",
      // a train_cfg key put into test_cfg
      "test_cfg.pos_weight | 1 | pos_weight",
      // a test_cfg key put into the head
      "bbox_head.score_thr | 0.1 | score_thr"})
  void anFcosModelRefusesKeysWhereMmdetectionsFcosHasNone(String path, String value, String key) {
    Object v = value.equals("true") ? Boolean.TRUE : Double.valueOf(value);
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> Heads.fromModel(model("fcos_head.py").withPath(path, v)));
    assertThat(e).as(path).isNotNull();
    assertThat(e.getMessage()).contains(key);
  }

  @Test
  void missingPiecesAreNamed() {
    Config model = model("faster_rcnn_rpn.py");
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> Heads.fromModel(model.withPath("train_cfg", Config.of("rcnn", Config.of()))));
    assertThat(e).hasMessageStartingWith("model.train_cfg.rpn: missing required key 'rpn'");
    e = catchThrowableOfType(ConfigException.class, () -> Heads.fromModel(model.without("rpn_head")));
    assertThat(e).hasMessageStartingWith("model: the model has no dense head: expected bbox_head");
    e = catchThrowableOfType(ConfigException.class,
        () -> Heads.fromModel(model("retina_head.py").withPath("test_cfg.score_thr", Double.POSITIVE_INFINITY)));
    assertThat(e.getMessage()).contains("score_thr");
  }
}
