package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import io.detkit.heads.AnchorHead;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.Heads;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

class DetectorNetTest {
  static final String MODEL = """
      model = dict(
          type='ATSS',
          backbone=dict(type='TinyConvNet', stem_channels=8, stage_channels=(8, 12, 16), out_indices=(1, 2)),
          neck=dict(type='FPN', in_channels=[12, 16], out_channels=8, num_outs=3),
          bbox_head=dict(
              type='ATSSHead', num_classes=2, in_channels=8, stacked_convs=1, feat_channels=8,
              anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=2,
                  scales_per_octave=1, strides=[8, 16, 32])),
          train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=4), allowed_border=-1, pos_weight=-1, debug=False))
      """;

  static Config model(String... overrides) {
    Config c = ConfigLoader.fromPython(MODEL, "model.py").getConfig("model");
    for (int i = 0; i < overrides.length; i += 2) {
      c = c.withPath(overrides[i], ConfigLoader.fromPythonExpression("dict(v=" + overrides[i + 1] + ")", "o").get("v"));
    }
    return c;
  }

  static AnchorHead head(Config model) {
    return Heads.build(model.getConfig("bbox_head").with("train_cfg", model.getConfig("train_cfg")), AnchorHead.class);
  }

  private static DetectorNet build(Config model) {
    return DetectorNet.build(model, head(model), new OptimizerSpec(new Sgd(0.05), 0, 0, 0), 7);
  }

  /** Uniform gradients in [-0.5, 0.5) shaped like {@code out}. */
  static HeadOutputs randomGradients(HeadOutputs out) {
    HeadOutputs eps = HeadOutputs.empty();
    for (String kind : out.names()) {
      List<INDArray> levels = new java.util.ArrayList<>();
      for (INDArray a : out.get(kind)) {
        levels.add(Nd4j.rand(DataType.FLOAT, a.shape()).subi(0.5));
      }
      eps = eps.with(kind, levels);
    }
    return eps;
  }

  @Test
  void outputsFollowTheHeadLayoutPerLevel() {
    DetectorNet net = build(model());
    assertThat(net.geometry().strides()).containsExactly(8, 16, 32);
    HeadOutputs out = net.forward(Nd4j.rand(DataType.FLOAT, 2, 3, 64, 96));
    assertThat(out.names()).containsExactly(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS, HeadOutputs.CENTERNESSES);
    assertThat(out.get(HeadOutputs.CLS_SCORES, 0).shape()).containsExactly(2, 2, 8, 12);
    assertThat(out.get(HeadOutputs.BBOX_PREDS, 1).shape()).containsExactly(2, 4, 4, 6);
    assertThat(out.get(HeadOutputs.CENTERNESSES, 2).shape()).containsExactly(2, 1, 2, 3);
  }

  @Test
  void sharedHeadCopiesReceiveTheSummedGradientAndStayEqual() {
    DetectorNet shared = build(model());
    DetectorNet separate = build(model("shared_head", "False"));
    assertThat(shared.geometry().sharedHead()).isTrue();
    assertThat(separate.geometry().sharedHead()).isFalse();
    separate.setParams(shared.params().dup());
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
    HeadOutputs outShared = shared.forwardTrain(x);
    separate.forwardTrain(x);
    HeadOutputs eps = randomGradients(outShared);
    double norm = shared.backward(eps);
    separate.backward(eps);
    // The gradient of a shared weight is the sum over levels of the untied copies' gradients.
    for (String layer : List.of("bbox_head.cls_convs.0", "bbox_head.conv_centerness")) {
      INDArray expected = null;
      for (int l = 0; l < 3; l++) {
        INDArray g = separate.graph().getLayer(layer + "@" + l).getGradientsViewArray();
        expected = expected == null ? g.dup() : expected.addi(g);
      }
      assertThat(expected.amaxNumber().doubleValue()).isPositive();
      for (int l = 0; l < 3; l++) {
        INDArray g = shared.graph().getLayer(layer + "@" + l).getGradientsViewArray();
        assertThat(g.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
      }
    }
    // The norm counts each shared value once: the level-0 copies and every untied layer.
    double sq = 0;
    for (Layer layer : shared.graph().getLayers()) {
      String name = layer.conf().getLayer().getLayerName();
      if (layer.numParams() > 0 && !name.matches(".*@[1-9]\\d*")) {
        double n2 = layer.getGradientsViewArray().norm2Number().doubleValue();
        sq += n2 * n2;
      }
    }
    assertThat(norm).isPositive().isCloseTo(Math.sqrt(sq), org.assertj.core.api.Assertions.within(1e-4 * norm));
    shared.step(norm, 0, 0);
    shared.forwardTrain(x);
    shared.backward(eps);
    shared.step(norm, 1, 0);
    Layer l0 = shared.graph().getLayer("bbox_head.conv_reg@0");
    for (int l = 1; l < 3; l++) {
      assertThat(shared.graph().getLayer("bbox_head.conv_reg@" + l).params()).isEqualTo(l0.params());
    }
    assertThat(shared.numDistinctParams()).isLessThan(separate.numDistinctParams());
  }

  @Test
  void weightDecayAppliesToEveryParameterInDl4jOrder() {
    for (boolean decoupled : new boolean[] {false, true}) {
      DetectorNet net = DetectorNet.build(model(), head(model()),
          new OptimizerSpec(new Sgd(0.1), decoupled ? 0 : 0.01, decoupled ? 0.02 : 0, 0), 7);
      Nd4j.getRandom().setSeed(5);
      HeadOutputs out = net.forwardTrain(Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32));
      double norm = net.backward(randomGradients(out));
      INDArray p = net.params().dup();
      INDArray g = net.graph().getFlattenedGradients().dup();
      net.step(norm, 0, 0);
      // SGD: p - lr * (g + l2 * p), or with decoupled decay p - (lr * g + wd * lr * p).
      INDArray expected = decoupled ? p.sub(g.mul(0.1).addi(p.mul(0.02 * 0.1))) : p.sub(g.add(p.mul(0.01)).muli(0.1));
      assertThat(net.params().sub(expected).amaxNumber().doubleValue()).as("decoupled=" + decoupled)
          .isLessThan(1e-6);
      assertThat(p.sub(net.params()).amaxNumber().doubleValue()).isGreaterThan(1e-4);
    }
  }

  @Test
  void theFlatUpdaterGivesDl4jsNetworkUpdaterResultsBitForBit() {
    Config untied = model("shared_head", "False");
    OptimizerSpec adam = new OptimizerSpec(new org.nd4j.linalg.learning.config.Adam(0.01), 0, 0, 0);
    DetectorNet net = DetectorNet.build(untied, head(untied), adam, 7);
    DetectorNet reference = DetectorNet.build(untied, head(untied), adam, 7);
    Nd4j.getRandom().setSeed(9);
    INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32);
    for (int it = 0; it < 3; it++) {
      HeadOutputs eps = randomGradients(net.forwardTrain(x));
      net.step(net.backward(eps), it, 0);
      // DL4J's own path: the graph's updater over the same gradient.
      ComputationGraph g = reference.graph();
      g.feedForward(new INDArray[] {x}, true, false);
      List<INDArray> flat = new java.util.ArrayList<>();
      for (String kind : reference.geometry().outputKinds()) {
        flat.addAll(eps.get(kind));
      }
      org.deeplearning4j.nn.gradient.Gradient grad = g.backpropGradient(flat.toArray(new INDArray[0]));
      g.getUpdater().update(grad, it, 0, 1, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
      g.params().subi(grad.gradient());
      assertThat(net.params().sub(reference.params()).amaxNumber().doubleValue()).as("iteration " + it).isZero();
    }
  }

  @Test
  void partsThatDoNotFitAreNamed() {
    assertThatThrownBy(() -> build(model("neck.in_channels", "[12, 8]"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("neck.in_channels").hasMessageContaining("[12, 16]");
    assertThatThrownBy(() -> build(model("bbox_head.in_channels", "16"))).hasMessageContaining("bbox_head.in_channels")
        .hasMessageContaining("neck.out_channels");
    assertThatThrownBy(() -> build(model("neck.num_outs", "2"))).hasMessageContaining("neck.num_outs");
    assertThatThrownBy(() -> build(model("backbone.type", "'ResNet'"))).hasMessageContaining("unknown backbone type")
        .hasMessageContaining("TinyConvNet");
    assertThatThrownBy(() -> build(model("backbone.depth", "50"))).hasMessageContaining("backbone.depth")
        .hasMessageContaining("unknown parameter");
    assertThatThrownBy(() -> build(model("bbox_head.norm_cfg", "dict(type='BN')")))
        .hasMessageContaining("bbox_head.norm_cfg.type");
    assertThatThrownBy(() -> build(model("bbox_head.norm_cfg", "dict(type='GN', num_groups=3)")))
        .hasMessageContaining("num_groups");
    assertThatThrownBy(() -> build(model("pretrained", "'torchvision://resnet50'")))
        .hasMessageContaining("model.pretrained".substring(6));
    assertThatThrownBy(() -> build(model("frozen", "1"))).hasMessageContaining("unknown parameter 'frozen' for model");
  }

  @Test
  void inputMustFitTheCoarsestStride() {
    DetectorNet net = build(model());
    assertThatThrownBy(() -> net.forward(Nd4j.zeros(DataType.FLOAT, 1, 3, 60, 64)))
        .hasMessageContaining("multiples of 32");
  }
}
