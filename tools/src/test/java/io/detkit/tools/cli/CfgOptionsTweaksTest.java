package io.detkit.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.heads.AnchorHead;
import io.detkit.losses.Loss;
import io.detkit.samplers.RandomSampler;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.train.Trainer;
import io.detkit.tools.TestConfigs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loss and sampler tweaks of the customisation guide, applied to the shipped configs through
 * {@code --cfg-options} alone, each trained for a few iterations.
 */
class CfgOptionsTweaksTest {
  @TempDir
  static Path workDir;

  private static Trainer.Result train(String config, String... options) throws Exception {
    Experiment exp = Experiment.of(TestConfigs.small(config, options), 0);
    return new Trainer(exp, workDir, config, false, System.err).noValidate().maxIterations(3).run();
  }

  private static AnchorHead head(String config, String... options) {
    return Experiment.of(TestConfigs.small(config, options), 0).anchorHead();
  }

  private static void assertTrains(Trainer.Result r) {
    assertThat(r.iterations()).isEqualTo(3);
    assertThat(r.losses()).allSatisfy(l -> assertThat(l).isFinite().isPositive());
  }

  @Test
  void focalLossGammaAndAlpha() throws Exception {
    String[] o = {"model.bbox_head.loss_cls.gamma=1.5", "model.bbox_head.loss_cls.alpha=0.5"};
    Loss focal = head("atss_shapes.py", o).lossCls();
    assertThat(focal.toString()).contains("1.5").contains("0.5");
    assertTrains(train("atss_shapes.py", o));
  }

  @Test
  void lossWeightHalvesTheClassificationLoss() throws Exception {
    Trainer.Result full = train("atss_shapes.py");
    Trainer.Result half = train("atss_shapes.py", "model.bbox_head.loss_cls.loss_weight=0.5");
    assertTrains(half);
    // Same data and initialisation: the first iteration's classification loss halves exactly.
    assertThat(half.losses().get(0)).isLessThan(full.losses().get(0));
  }

  @Test
  void sumReductionReachesTheLossAndFailsAsInMmdetection() {
    CommandErrorsTest.Run r = CommandErrorsTest.run("train", CommandErrorsTest.ATSS, "--max-iters", "1",
        "--work-dir", "target/sum-reduction", "--cfg-options", "model.bbox_head.loss_cls.reduction=sum",
        "data.train.num_images=8", "data.samples_per_gpu=8");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("avg_factor can not be used with reduction=\"sum\"".replace('"', '\''));
  }

  @Test
  void atssWithCiouLoss() throws Exception {
    String[] o = {"model.bbox_head.loss_bbox=dict(_delete_=True, type='CIoULoss', loss_weight=2.0)"};
    assertThat(head("atss_shapes.py", o).lossBbox().type()).isEqualTo("CIoULoss");
    assertTrains(train("atss_shapes.py", o));
  }

  @Test
  void retinaNetWithSmoothL1Loss() throws Exception {
    String[] o = {"model.bbox_head.loss_bbox=dict(_delete_=True, type='SmoothL1Loss', beta=0.11, loss_weight=1.0)"};
    assertThat(head("retinanet_shapes.py", o).lossBbox().type()).isEqualTo("SmoothL1Loss");
    assertTrains(train("retinanet_shapes.py", o));
  }

  @Test
  void retinaNetWithRandomSampler() throws Exception {
    String sampler = "model.train_cfg.sampler=dict(type='RandomSampler', num=256, pos_fraction=0.5, neg_pos_ub=-1,"
        + " add_gt_as_proposals=False)";
    // With FocalLoss, MMDetection ignores the sampler (the loss balances itself) ...
    AnchorHead focal = head("retinanet_shapes.py", sampler);
    assertThat(focal.sampling()).isFalse();
    assertTrains(train("retinanet_shapes.py", sampler));
    // ... and with a plain sigmoid cross-entropy it samples.
    String ce = "model.bbox_head.loss_cls=dict(_delete_=True, type='CrossEntropyLoss', use_sigmoid=True,"
        + " loss_weight=1.0)";
    AnchorHead sampled = head("retinanet_shapes.py", sampler, ce);
    assertThat(sampled.sampling()).isTrue();
    assertThat(sampled.sampler()).isInstanceOf(RandomSampler.class);
    assertTrains(train("retinanet_shapes.py", sampler, ce));
  }
}
