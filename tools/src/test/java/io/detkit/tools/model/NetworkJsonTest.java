package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.Config;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** DL4J's JSON form of a detector's graph configuration keeps the settings of detkit's own layers and vertices. */
class NetworkJsonTest {
  @Test
  void aConfigurationReadBackFromJsonBuildsTheSameNetwork() {
    // Settings away from the defaults a no-argument constructor gives: 8 channels in 4 groups,
    // scales starting at 1, the canvas's ratios and levels.
    Config model = DetectorNetTest.model("bbox_head.stacked_convs", "2", "bbox_head.norm_cfg",
        "dict(type='GN', num_groups=4, requires_grad=True)");
    DetectorNet net = DetectorNet.build(model, DetectorNetTest.head(model), new OptimizerSpec(new Sgd(0.05), 0, 0, 0),
        7, true);
    ComputationGraphConfiguration conf = net.graph().getConfiguration();
    ComputationGraphConfiguration read = ComputationGraphConfiguration.fromJson(conf.toJson());

    List<String> settings = new ArrayList<>();
    for (String name : conf.getVertices().keySet()) {
      GraphVertex a = conf.getVertices().get(name);
      GraphVertex b = read.getVertices().get(name);
      if (a instanceof LayerVertex la && la.getLayerConf().getLayer() instanceof GroupNorm ga) {
        GroupNorm gb = (GroupNorm) ((LayerVertex) b).getLayerConf().getLayer();
        assertThat(gb.settings()).as(name).isEqualTo(ga.settings());
        settings.add(name + " " + gb.settings());
      } else if (a instanceof LayerVertex la && la.getLayerConf().getLayer() instanceof Scale sa) {
        assertThat(((Scale) ((LayerVertex) b).getLayerConf().getLayer()).init()).as(name).isEqualTo(sa.init());
      } else if (a instanceof HostVertex) {
        assertThat(b).as(name).isEqualTo(a);
      }
    }
    assertThat(settings).hasSize(4).allMatch(s -> s.contains("channels=8, groups=4"));

    ComputationGraph copy = new ComputationGraph(read);
    copy.init();
    copy.setParams(net.params());
    Nd4j.getRandom().setSeed(3);
    INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 64);
    INDArray[] expected = net.graph().output(false, images);
    INDArray[] got = copy.output(false, images);
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).as("output " + i).isEqualTo(expected[i]);
    }
  }

  @Test
  void groupNormAndScaleKeepTheirSettingsThroughJson() {
    ComputationGraphConfiguration conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
        .addLayer("gn", GroupNorm.of(6, 3, org.nd4j.linalg.activations.Activation.RELU,
            new LevelCanvas(new int[] {4, 8})), "in")
        .addLayer("scale", Scale.of(0.5), "gn").setOutputs("scale").build();
    ComputationGraphConfiguration read = ComputationGraphConfiguration.fromJson(conf.toJson());
    GroupNorm gn = (GroupNorm) ((LayerVertex) read.getVertices().get("gn")).getLayerConf().getLayer();
    assertThat(gn.settings()).isEqualTo(new GroupNorm.Settings(6, 3, 1e-5));
    assertThat(gn.levelRatios()).containsExactly(1, 2);
    assertThat(((Scale) ((LayerVertex) read.getVertices().get("scale")).getLayerConf().getLayer()).init())
        .isEqualTo(0.5);
  }
}
