package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.ConfigException;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.OutputChecks;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.tools.TestConfigs;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every shipped config's network gives the outputs its head declares, and trains. */
class HeadNetworksTest {
  @ParameterizedTest
  @CsvSource({
      "atss_shapes.py, cls_scores|bbox_preds|centernesses, 4",
      "retinanet_shapes.py, cls_scores|bbox_preds, 24",
      "gfl_shapes.py, cls_scores|bbox_preds, 36",
      "tood_shapes.py, cls_scores|bbox_preds, 4",
      "fcos_shapes.py, cls_scores|bbox_preds|centernesses, 4"})
  void theNetworksOutputsAreTheHeadsDeclaredOutputs(String config, String kinds, int bboxChannels) {
    Experiment exp = Experiment.of(TestConfigs.small(config), 0);
    BaseDenseHead head = exp.head();
    DetectorNet net = exp.buildNet();
    assertThat(net.geometry().outputKinds()).containsExactly(kinds.split("\\|"));
    Nd4j.getRandom().setSeed(3);
    INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 48);
    for (HeadOutputs out : List.of(net.forward(images), net.forwardTrain(images))) {
      // The head's own output checks: every declared output, [N, channels, H, W] per level, finite.
      assertThat(new OutputChecks(head).check(out, 2).featmapSizes()).hasSize(2);
      assertThat(out.get(HeadOutputs.BBOX_PREDS, 0).shape()).containsExactly(2, bboxChannels, 8, 6);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gfl_shapes.py", "tood_shapes.py", "fcos_shapes.py"})
  void aNewHeadsConfigTrainsAFewIterations(String config, @TempDir Path dir) throws Exception {
    Experiment exp = Experiment.of(TestConfigs.small(config), 0);
    Trainer.Result r = new Trainer(exp, dir, config, false, System.err).noValidate().maxIterations(3).run();
    assertThat(r.iterations()).isEqualTo(3);
    assertThat(r.losses()).allSatisfy(l -> assertThat(l).isFinite().isPositive());
  }

  @Test
  void toodTrainsInItsAlignmentPhaseAndItsSamplingReceivesGradients() {
    Experiment exp = Experiment.of(TestConfigs.small("tood_shapes.py", "model.train_cfg.initial_epoch=0"), 0);
    BaseDenseHead head = exp.head();
    DetectorNet net = exp.buildNet();
    Nd4j.getRandom().setSeed(8);
    INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64).subi(0.5);
    HeadOutputs out = net.forwardTrain(images);
    List<GroundTruth> gts = List.of(
        GroundTruth.of(Nd4j.createFromArray(new float[][] {{4, 6, 30, 28}}), Nd4j.createFromArray(new long[] {1})),
        GroundTruth.of(Nd4j.createFromArray(new float[][] {{20, 10, 60, 50}, {2, 40, 20, 62}}),
            Nd4j.createFromArray(new long[] {0, 2})));
    List<io.detkit.heads.ImageMeta> metas = List.of(io.detkit.heads.ImageMeta.ofSize(64, 64),
        io.detkit.heads.ImageMeta.ofSize(64, 64));
    HeadLoss loss = head.loss(out, gts, metas, 0);
    assertThat(loss.total()).isFinite().isPositive();
    net.backward(loss.grads());
    org.deeplearning4j.nn.gradient.Gradient g = net.graph().gradient();
    for (String p : List.of("bbox_head.reg_offset_module.2@0_W", "bbox_head.cls_prob_module.2@0_W",
        "bbox_head.cls_decomp.layer_attention.2@0_W", "bbox_head.scales.0_scale", "bbox_head.scales.1_scale")) {
      assertThat(g.getGradientFor(p).amaxNumber().doubleValue()).as(p).isPositive();
    }
  }

  @Test
  void toodsAnchorBasedFormAndDeformableConvolutionsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> Experiment.of(TestConfigs.small("tood_shapes.py",
        "model.bbox_head.anchor_type=anchor_based"), 0).buildNet())
        .isInstanceOf(ConfigException.class).hasMessageContaining("anchor_type").hasMessageContaining("anchor_based");
    assertThatThrownBy(() -> Experiment.of(TestConfigs.small("tood_shapes.py", "model.bbox_head.num_dcn=2"), 0)
        .buildNet()).isInstanceOf(ConfigException.class).hasMessageContaining("num_dcn");
  }

  /**
   * The canvas form is added only where the head merges its levels: a head without GroupNorm (which
   * clears the canvas's gaps) refuses it rather than falling back, since DetectorGraph adds the
   * per-level form itself.
   */
  @Test
  void aHeadThatDoesNotMergeLevelsRefusesTheCanvasForm() {
    DenseHeadBranches plain = new DenseHeadBranches(new TowerSettings(8, 8, 2, 0), 3, 1, 4,
        DenseHeadBranches.Centerness.NONE, 0, false, DenseHeadBranches.RegActivation.IDENTITY, false);
    assertThat(plain.mergesLevels()).isFalse();
    org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder g =
        new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().graphBuilder().addInputs("a", "b");
    assertThatThrownBy(() -> plain.addLevels(g, List.of("a", "b"), new int[] {8, 16}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("DenseHeadBranches does not merge levels (mergesLevels() is false); add it per level with addTo");
    DenseHeadBranches normalized = new DenseHeadBranches(new TowerSettings(8, 8, 2, 4), 3, 1, 4,
        DenseHeadBranches.Centerness.NONE, 0, false, DenseHeadBranches.RegActivation.IDENTITY, false);
    assertThat(normalized.mergesLevels()).isTrue();
    assertThat(normalized.addLevels(g, List.of("a", "b"), new int[] {8, 16})).hasSize(2);
  }
}
