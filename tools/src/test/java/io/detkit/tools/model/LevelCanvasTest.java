package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.heads.HeadOutputs;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The level canvas: its layout, and a head run once on it against the same head run per level
 * (outputs, gradients, a training step, checkpoints of either form).
 */
class LevelCanvasTest {
  /** DetectorNetTest's detector with two GN-normalized convolutions per tower (as the main job's head). */
  private static DetectorNet build(boolean merge) {
    Config model = DetectorNetTest.model("bbox_head.stacked_convs", "2", "bbox_head.norm_cfg",
        "dict(type='GN', num_groups=4, requires_grad=True)");
    return DetectorNet.build(model, DetectorNetTest.head(model), new OptimizerSpec(new Sgd(0.05), 0, 0, 0), 7, merge);
  }

  /** Both forms of the same detector, and images of {@code h x w} drawn from {@code seed}. */
  private record Forms(DetectorNet perLevel, DetectorNet canvas, INDArray images) {
    static Forms of(long seed, int h, int w) {
      Nd4j.getRandom().setSeed(seed);
      return new Forms(build(false), build(true), Nd4j.rand(DataType.FLOAT, 2, 3, h, w).subi(0.5));
    }
  }

  @Test
  void regionsStackTheLevelsWithOneZeroRowBetween() {
    LevelCanvas c = new LevelCanvas(new int[] {8, 16, 32});
    long[] shape = c.canvasShape(new long[][] {{2, 5, 8, 12}, {2, 5, 4, 6}, {2, 5, 2, 3}});
    assertThat(shape).containsExactly(2, 5, 8 + 1 + 4 + 1 + 2, 12);
    assertThat(c.regions(16, 12)).containsExactly(new LevelCanvas.Region(0, 8, 12), new LevelCanvas.Region(9, 4, 6),
        new LevelCanvas.Region(14, 2, 3));
    LevelCanvas.Pixels px = LevelCanvas.Pixels.of(c.ratios(), 16, 12);
    assertThat(px.regions()[1]).startsWith(9 * 12, 9 * 12 + 1).hasSize(24);
    assertThat(px.outside()).hasSize(16 * 12 - 96 - 24 - 6).contains(8 * 12, 9 * 12 + 6);
  }

  @Test
  void runsHoldTheRegionsPixelsAndTheGapsInTheirOrder() {
    // Canvases with gaps right of narrower levels, an odd-width map, and a plain map (one run).
    Object[][] layouts = {{new int[] {1, 2, 4}, 16L, 12L}, {new int[] {1, 2}, 7L, 6L}, {new int[] {1, 2, 4, 8}, 18L, 8L},
        {null, 5L, 7L}};
    for (Object[] c : layouts) {
      LevelCanvas.Pixels px = LevelCanvas.Pixels.of((int[]) c[0], (long) c[1], (long) c[2]);
      for (int l = 0; l < px.regions().length; l++) {
        assertThat(expand(px.regionRuns()[l])).as("region %d of %s", l, java.util.Arrays.toString((int[]) c[0]))
            .containsExactly(px.regions()[l]);
      }
      assertThat(expand(px.outsideRuns())).containsExactly(px.outside());
    }
    // A level as wide as the canvas is one run; a narrower one a run per row.
    LevelCanvas.Pixels px = LevelCanvas.Pixels.of(new int[] {1, 2}, 7, 6);
    assertThat(px.regionRuns()[0]).containsExactly(0, 24);
    assertThat(px.regionRuns()[1]).containsExactly(30, 3, 36, 3);
    assertThat(px.outsideRuns()).containsExactly(24, 6, 33, 3, 39, 3);
    assertThat(LevelCanvas.Pixels.of(null, 5, 7).regionRuns()[0]).containsExactly(0, 35);
    assertThat(LevelCanvas.Pixels.runs(new int[0])).isEmpty();
  }

  /** The offsets of (first, length) runs, in order. */
  private static int[] expand(int[] runs) {
    java.util.List<Integer> out = new java.util.ArrayList<>();
    for (int k = 0; k < runs.length; k += 2) {
      assertThat(runs[k + 1]).as("run length").isPositive();
      for (int i = 0; i < runs[k + 1]; i++) {
        out.add(runs[k] + i);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void shapesThatAreNoLevelsAreRefusedNamingTheRatios() {
    LevelCanvas c = new LevelCanvas(new int[] {8, 16});
    assertThatThrownBy(() -> c.canvasShape(new long[][] {{2, 5, 8, 8}, {2, 5, 8, 8}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 2]").hasMessageContaining("[2, 5, 8, 8]");
    assertThatThrownBy(() -> c.regions(12, 8)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("12 x 8");
    assertThatThrownBy(() -> new LevelCanvas(new int[] {8, 12})).hasMessageContaining("multiple of the previous");
    assertThatThrownBy(() -> new LevelCanvas(new int[] {8})).hasMessageContaining("at least two levels");
  }

  @Test
  void theCanvasFormRunsEachSharedLayerOnceFromThePerLevelFormsWeights() {
    DetectorNet perLevel = build(false);
    DetectorNet canvas = build(true);
    assertThat(canvas.graph().getVertex("bbox_head.cls_convs.0.conv").hasLayer()).isTrue();
    assertThat(canvas.graph().getVertex("bbox_head.cls_convs.0.conv@0")).isNull();
    assertThat(perLevel.graph().getVertex("bbox_head.cls_convs.0.conv@2").hasLayer()).isTrue();
    assertThat(canvas.numDistinctParams()).isEqualTo(perLevel.numDistinctParams())
        .isEqualTo(canvas.graph().numParams());
    assertThat(canvas.perLevelGraph().params()).isEqualTo(perLevel.params());
  }

  /**
   * The outputs bit for bit; the normalization's and the scales' gradients bit for bit (summed over
   * the levels in float, as the tied copies'); the convolutions' weight gradients, and through the
   * towers' input gradients every gradient below them, to float rounding: one {@code conv2d_bp} sums
   * over every level's pixels, the per-level form per level and then adds the levels' sums.
   */
  @Test
  void outputsAndGradientsAreThoseOfThePerLevelForm() {
    Forms f = Forms.of(11, 64, 96);
    DetectorNet perLevel = f.perLevel();
    DetectorNet canvas = f.canvas();
    INDArray images = f.images();
    HeadOutputs a = perLevel.forwardTrain(images);
    HeadOutputs b = canvas.forwardTrain(images);
    for (String kind : a.names()) {
      for (int l = 0; l < 3; l++) {
        assertThat(b.get(kind, l)).as(kind + " level " + l).isEqualTo(a.get(kind, l));
      }
    }
    HeadOutputs eps = DetectorNetTest.randomGradients(a);
    double normA = perLevel.backward(eps);
    double normB = canvas.backward(eps);
    assertThat(normB).isCloseTo(normA, org.assertj.core.data.Percentage.withPercentage(1e-4));
    ComputationGraph pg = perLevel.graph();
    int layers = 0;
    for (Layer layer : canvas.graph().getLayers()) {
      if (layer.numParams() == 0) {
        continue;
      }
      String name = layer.conf().getLayer().getLayerName();
      Layer ref = pg.getVertex(name) != null ? pg.getLayer(name) : pg.getLayer(name + "@0");
      INDArray expected = ref.getGradientsViewArray();
      INDArray got = layer.getGradientsViewArray();
      if (layer instanceof NativeConvolution.Impl) {
        double tolerance = 4e-6 * expected.amaxNumber().doubleValue();
        assertThat(got.sub(expected).amaxNumber().doubleValue()).as(name).isLessThanOrEqualTo(tolerance);
      } else {
        assertThat(got).as(name).isEqualTo(expected);
      }
      layers++;
    }
    assertThat(layers).as("backbone, neck, towers (conv and GN), predictions, scales").isEqualTo(4 + 4 + 8 + 3 + 3);
  }

  @Test
  void aTrainingStepMovesBothFormsAlikeAndTheCanvasReadsPerLevelCheckpoints() {
    Forms f = Forms.of(12, 32, 64);
    DetectorNet canvas = f.canvas();
    HeadOutputs eps = DetectorNetTest.randomGradients(f.perLevel().forwardTrain(f.images()));
    canvas.forwardTrain(f.images());
    f.perLevel().step(f.perLevel().backward(eps), 0, 0);
    canvas.step(canvas.backward(eps), 0, 0);
    INDArray moved = canvas.perLevelGraph().params();
    assertThat(moved.sub(f.perLevel().params()).amaxNumber().doubleValue()).isLessThan(1e-6).isGreaterThan(0.0);
    assertThat(moved).isNotEqualTo(build(true).perLevelGraph().params());

    // A checkpoint of the per-level form (the flattened array with every level's copy).
    canvas.setParams(f.perLevel().params());
    assertThat(canvas.perLevelGraph().params()).isEqualTo(f.perLevel().params());
    assertThat(canvas.forward(f.images()).get(HeadOutputs.CLS_SCORES, 1))
        .isEqualTo(f.perLevel().forward(f.images()).get(HeadOutputs.CLS_SCORES, 1));
    assertThatThrownBy(() -> canvas.setParams(Nd4j.zeros(DataType.FLOAT, 5)))
        .hasMessageContaining("params must hold " + canvas.graph().numParams());
  }

  /** Every shipped config: the GN-tower heads run on the canvas with the per-level form's outputs; TOOD per level. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"atss_shapes.py, true", "retinanet_shapes.py, true",
      "gfl_shapes.py, true", "fcos_shapes.py, true", "tood_shapes.py, false"})
  void shippedConfigsGiveTheSameOutputsInBothForms(String config, boolean canvas) {
    io.detkit.tools.train.Experiment exp = io.detkit.tools.train.Experiment.of(
        io.detkit.tools.TestConfigs.small(config), 0);
    DetectorNet merged = exp.buildNet();
    String old = System.setProperty(DetectorNet.PER_LEVEL_PROPERTY, "true");
    DetectorNet perLevel;
    try {
      perLevel = exp.buildNet();
    } finally {
      if (old == null) {
        System.clearProperty(DetectorNet.PER_LEVEL_PROPERTY);
      } else {
        System.setProperty(DetectorNet.PER_LEVEL_PROPERTY, old);
      }
    }
    assertThat(merged.graph().getVertex("bbox_head.levels") != null).isEqualTo(canvas);
    Nd4j.getRandom().setSeed(5);
    INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 48);
    HeadOutputs a = perLevel.forward(images);
    HeadOutputs b = merged.forward(images);
    for (String kind : a.names()) {
      for (int l = 0; l < a.get(kind).size(); l++) {
        assertThat(b.get(kind, l)).as(config + " " + kind + " level " + l).isEqualTo(a.get(kind, l));
      }
    }
  }

  @Test
  void groupNormOnACanvasClearsTheGapsAndTakesStatisticsPerLevel() {
    LevelCanvas c = new LevelCanvas(new int[] {8, 16});
    ComputationGraph g = oneLayer(GroupNorm.of(4, 2, org.nd4j.linalg.activations.Activation.IDENTITY, c));
    ComputationGraph plain = oneLayer(GroupNorm.of(4, 2, org.nd4j.linalg.activations.Activation.IDENTITY));
    Nd4j.getRandom().setSeed(13);
    INDArray level0 = Nd4j.rand(DataType.FLOAT, 2, 4, 4, 6);
    INDArray level1 = Nd4j.rand(DataType.FLOAT, 2, 4, 2, 3).muli(7);
    INDArray canvasIn = Nd4j.rand(DataType.FLOAT, 2, 4, 7, 6).addi(3); // gaps hold garbage
    canvasIn.get(all(), all(), interval(0, 4), interval(0, 6)).assign(level0);
    canvasIn.get(all(), all(), interval(5, 7), interval(0, 3)).assign(level1);
    INDArray out = g.outputSingle(canvasIn);
    assertThat(out.get(all(), all(), interval(0, 4), interval(0, 6))).isEqualTo(plain.outputSingle(level0));
    assertThat(out.get(all(), all(), interval(5, 7), interval(0, 3))).isEqualTo(plain.outputSingle(level1));
    assertThat(out.get(all(), all(), org.nd4j.linalg.indexing.NDArrayIndex.point(4), all()).sumNumber().doubleValue())
        .isZero();
    assertThat(out.get(all(), all(), interval(5, 7), interval(3, 6)).amaxNumber().doubleValue()).isZero();
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex all() {
    return org.nd4j.linalg.indexing.NDArrayIndex.all();
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval(int from, int to) {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
  }

  private static ComputationGraph oneLayer(org.deeplearning4j.nn.conf.layers.Layer layer) {
    ComputationGraph g = new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).graphBuilder().addInputs("in").addLayer("l", layer, "in").setOutputs("l").build());
    g.init();
    return g;
  }
}
