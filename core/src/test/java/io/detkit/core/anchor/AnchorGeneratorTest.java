package io.detkit.core.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class AnchorGeneratorTest {
  private static float[] flat(INDArray a) {
    return a.length() == 0 ? new float[0] : a.castTo(DataType.FLOAT).reshape(a.length()).toFloatVector();
  }

  @Test
  void gridMatchesMmdetectionDocstringExample() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(16, 32),
        new double[] {1}, new double[] {1}).withBaseSizes(new double[] {9, 18}));
    List<INDArray> grid = gen.gridPriors(List.of(new int[] {2, 2}, new int[] {1, 1}), DataType.FLOAT);
    assertThat(grid.get(0).shape()).containsExactly(4, 4);
    assertThat(flat(grid.get(0))).containsExactly(
        -4.5f, -4.5f, 4.5f, 4.5f,
        11.5f, -4.5f, 20.5f, 4.5f,
        -4.5f, 11.5f, 4.5f, 20.5f,
        11.5f, 11.5f, 20.5f, 20.5f);
    assertThat(flat(grid.get(1))).containsExactly(-9f, -9f, 9f, 9f);
  }

  @Test
  void scaleMajorPutsScalesFastestAndOtherwiseRatios() {
    AnchorGenerator.Params p = AnchorGenerator.Params.of(Stride.squares(8), new double[] {0.25, 1},
        new double[] {1, 2});
    // ratio 0.25: h_ratio 0.5, w_ratio 2 -> 16x4 at scale 1, 32x8 at scale 2; ratio 1: 8x8, 16x16.
    assertThat(new AnchorGenerator(p).baseAnchorsFlat(0)).containsExactly(
        -8f, -2f, 8f, 2f,
        -16f, -4f, 16f, 4f,
        -4f, -4f, 4f, 4f,
        -8f, -8f, 8f, 8f);
    assertThat(new AnchorGenerator(p.withScaleMajor(false)).baseAnchorsFlat(0)).containsExactly(
        -8f, -2f, 8f, 2f,
        -4f, -4f, 4f, 4f,
        -16f, -4f, 16f, 4f,
        -8f, -8f, 8f, 8f);
  }

  @Test
  void centerOffsetAndExplicitCentersMoveTheBaseAnchor() {
    AnchorGenerator offset = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {1}, new double[] {1}).withCenterOffset(0.5));
    assertThat(offset.baseAnchorsFlat(0)).containsExactly(0f, 0f, 8f, 8f);
    AnchorGenerator centred = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {1}, new double[] {1}).withCenters(List.of(new double[] {3, 5})));
    assertThat(centred.baseAnchorsFlat(0)).containsExactly(-1f, 1f, 7f, 9f);
  }

  @Test
  void octaveScalesAreBaseScaleTimesPowersOfTwo() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.octave(Stride.squares(8, 16),
        new double[] {0.5, 1, 2}, 4, 3));
    assertThat(gen.scales(0)).containsExactly(4f, (float) (4 * Math.pow(2, 1 / 3.0)), (float) (4 * Math.pow(2, 2 / 3.0)));
    assertThat(gen.numBaseAnchors()).containsExactly(9, 9);
    // Square anchor of scale 4 on an 8-pixel base: 32x32 around the cell's top-left corner.
    assertThat(gen.baseAnchorsFlat(0)).contains(-16f, -16f, 16f, 16f);
    assertThat(gen.octaveBaseScale()).isEqualTo(4.0);
  }

  @Test
  void nonSquareStridesShiftEachAxisByItsOwnStride() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(List.of(Stride.of(8, 4)),
        new double[] {1}, new double[] {1}).withBaseSizes(new double[] {2}));
    float[] grid = gen.gridPriorsFlat(0, 2, 2);
    assertThat(grid).containsExactly(
        -1f, -1f, 1f, 1f,
        7f, -1f, 9f, 1f,
        -1f, 3f, 1f, 5f,
        7f, 3f, 9f, 5f);
  }

  @Test
  void emptyFeatureMapGivesNoPriorsAndNoFlags() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8, 16),
        new double[] {0.5, 1}, new double[] {1}));
    List<INDArray> grid = gen.gridPriors(List.of(new int[] {0, 5}, new int[] {3, 0}), DataType.FLOAT);
    assertThat(grid.get(0).shape()).containsExactly(0, 4);
    assertThat(grid.get(1).shape()).containsExactly(0, 4);
    assertThat(gen.gridPriorsFlat(0, 0, 5)).isEmpty();
    assertThat(gen.validFlags(List.of(new int[] {0, 5}, new int[] {3, 0}), new int[] {32, 32})).allSatisfy(
        f -> assertThat(f).isEmpty());
    assertThat(gen.validFlagArrays(List.of(new int[] {0, 5}, new int[] {3, 0}), new int[] {32, 32}).get(0).length())
        .isZero();
  }

  @Test
  void validFlagsCutAtTheCeilOfThePaddedSizeAndRepeatPerAnchor() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(16),
        new double[] {0.5, 2}, new double[] {1}));
    // pad (33, 40): ceil(33/16) = 3 rows (all), ceil(40/16) = 3 of 4 columns.
    boolean[] f = gen.singleLevelValidFlags(0, 3, 4, new int[] {33, 40, 3});
    boolean[] row = {true, true, true, true, true, true, false, false};
    assertThat(f).hasSize(24);
    for (int y = 0; y < 3; y++) {
      for (int i = 0; i < 8; i++) {
        assertThat(f[y * 8 + i]).as("row %d entry %d", y, i).isEqualTo(row[i]);
      }
    }
    // A pad that is an exact multiple of the stride keeps exactly pad/stride cells.
    boolean[] exact = gen.singleLevelValidFlags(0, 3, 4, new int[] {32, 48});
    int valid = 0;
    for (int i = 0; i < exact.length; i++) {
      valid += exact[i] ? 1 : 0;
    }
    assertThat(valid).isEqualTo(2 * 3 * 2);
    assertThat(exact[2 * 8]).isFalse();
    assertThat(exact[5]).isTrue();
    assertThat(exact[6]).isFalse();
    INDArray arr = gen.validFlagArrays(List.of(new int[] {3, 4}), new int[] {33, 40}).get(0);
    assertThat(arr.dataType()).isEqualTo(DataType.BOOL);
    assertThat(arr.length()).isEqualTo(24);
  }

  @Test
  void sparsePriorsAreTheGridRowsAndWrapPastTheEnd() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8, 16),
        new double[] {0.5, 1, 2}, new double[] {2, 3}));
    float[] grid = gen.gridPriorsFlat(1, 3, 5);
    int n = grid.length / 4;
    long[] idx = {0, 7, 31, n - 1, n + 4};
    float[] sparse = flat(gen.sparsePriors(1, idx, new int[] {3, 5}, DataType.FLOAT));
    for (int i = 0; i < idx.length; i++) {
      int row = (int) (idx[i] % n);
      for (int j = 0; j < 4; j++) {
        assertThat(sparse[4 * i + j]).isEqualTo(grid[4 * row + j]);
      }
    }
  }

  @Test
  void float64PriorsWidenTheBaseAnchorsBeforeAddingShifts() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(7),
        new double[] {0.3}, new double[] {1.1}));
    float[] base = gen.baseAnchorsFlat(0);
    INDArray grid = gen.singleLevelGridPriors(0, 3, 3, DataType.DOUBLE);
    assertThat(grid.dataType()).isEqualTo(DataType.DOUBLE);
    double[] d = grid.reshape(grid.length()).toDoubleVector();
    // Cell (y=2, x=1): shift (7, 14) added in float64 to the float32 base anchor.
    int row = 2 * 3 + 1;
    assertThat(d[4 * row]).isEqualTo((double) base[0] + 7.0);
    assertThat(d[4 * row + 3]).isEqualTo((double) base[3] + 14.0);
    assertThat(gen.gridPriorsFlatDouble(0, 3, 3)).containsExactly(d);
    assertThat(flat(gen.gridAnchors(List.of(new int[] {3, 3})).get(0))).containsExactly(gen.gridPriorsFlat(0, 3, 3));
  }

  @Test
  void argumentErrorsNameTheArgument() {
    AnchorGenerator gen = new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8, 16),
        new double[] {1}, new double[] {1}));
    assertThatThrownBy(() -> gen.gridPriors(List.of(new int[] {2, 2}), DataType.FLOAT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("featmap_sizes").hasMessageContaining("2");
    assertThatThrownBy(() -> gen.gridPriorsFlat(2, 1, 1)).hasMessageContaining("level must be in [0, 2); got 2");
    assertThatThrownBy(() -> gen.gridPriorsFlat(0, -1, 1)).hasMessageContaining("featmap_size");
    assertThatThrownBy(() -> gen.singleLevelGridPriors(0, 1, 1, DataType.INT32)).hasMessageContaining("dtype");
    assertThatThrownBy(() -> gen.singleLevelValidFlags(0, 1, 1, new int[] {4})).hasMessageContaining("pad_shape");
    assertThatThrownBy(() -> gen.sparsePriors(0, new long[] {0}, new int[] {0, 3}, DataType.FLOAT))
        .hasMessageContaining("featmap_size");
  }

  @Test
  void builderRejectsInvalidParameters() {
    assertThatThrownBy(() -> new AnchorGenerator(new AnchorGenerator.Params(Stride.squares(8),
        new double[] {1}, new double[] {1}, null, true, (double) 4, 3, null, 0))
            ).hasMessageContaining("scales").hasMessageContaining("octave_base_scale");
    assertThatThrownBy(() -> new AnchorGenerator(new AnchorGenerator.Params(Stride.squares(8),
        new double[] {1}, null, null, true, (double) 4, null, null, 0)))
        .hasMessageContaining("scales_per_octave");
    assertThatThrownBy(() -> new AnchorGenerator(new AnchorGenerator.Params(Stride.squares(8),
        new double[] {1}, null, null, true, null, null, null, 0)))
        .hasMessageContaining("either scales or octave_base_scale");
    assertThatThrownBy(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {1, -2}, new double[] {1})))
        .hasMessageContaining("ratios[1] must be positive");
    assertThatThrownBy(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8, 16),
        new double[] {1}, new double[] {1}).withBaseSizes(new double[] {4})))
        .hasMessageContaining("base_sizes must have one size per level (2 strides); got 1");
    assertThatThrownBy(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {1}, new double[] {1}).withCenterOffset(1.5)))
        .hasMessageContaining("center_offset must be in [0, 1]");
    assertThatThrownBy(() -> new AnchorGenerator(AnchorGenerator.Params.of(Stride.squares(8),
        new double[] {1}, new double[] {1}).withCenters(List.of(new double[] {1, 1}))
            .withCenterOffset(0.5))).hasMessageContaining("centers cannot be set");
    assertThatThrownBy(() -> new AnchorGenerator(new AnchorGenerator.Params(null, new double[] {1},
        new double[] {1}, null, true, null, null, null, 0))).hasMessageContaining("strides");
    assertThatThrownBy(() -> Stride.of(0)).hasMessageContaining("stride must be positive");
  }

  @Test
  void ssdRecipeReproducesTheKnownSsd300And512Sizes() {
    List<double[]> ratios6 = List.of(new double[] {2}, new double[] {2, 3}, new double[] {2, 3}, new double[] {2, 3},
        new double[] {2}, new double[] {2});
    SSDAnchorGenerator coco = new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16, 32, 64, 100, 300), ratios6).withBasesizeRatioRange(new double[] {0.15, 0.9}).withScaleMajor(false));
    assertThat(coco.minSizes()).containsExactly(21, 45, 99, 153, 207, 261);
    assertThat(coco.maxSizes()).containsExactly(45, 99, 153, 207, 261, 315);
    assertThat(coco.numBaseAnchors()).containsExactly(4, 6, 6, 6, 4, 4);
    SSDAnchorGenerator voc = new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16, 32, 64, 100, 300), ratios6).withBasesizeRatioRange(new double[] {0.2, 0.9}));
    assertThat(voc.minSizes()).containsExactly(30, 60, 111, 162, 213, 264);
    assertThat(voc.maxSizes()).containsExactly(60, 111, 162, 213, 264, 315);
    List<double[]> ratios7 = new java.util.ArrayList<>(ratios6);
    ratios7.add(new double[] {2});
    SSDAnchorGenerator ssd512 = new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16, 32, 64, 128, 256, 512), ratios7).withInputSize(512).withBasesizeRatioRange(new double[] {0.1, 0.9}));
    assertThat(ssd512.minSizes()).containsExactly(20, 51, 133, 215, 296, 378, 460);
    assertThat(ssd512.maxSizes()).containsExactly(51, 133, 215, 296, 378, 460, 542);
  }

  @Test
  void ssdKeepsTheSquareMinAnchorThenTheLargerSquareThenTheRatios() {
    SSDAnchorGenerator gen = new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8), List.of(new double[] {2}),
        new double[] {20}, new double[] {45}).withScaleMajor(false));
    float[] a = gen.baseAnchorsFlat(0);
    assertThat(a).hasSize(16);
    // Centre (4, 4): 20x20, then sqrt(20*45) = 30 square, then ratio 1/2 and 2 at scale 1.
    assertThat(a[0]).isEqualTo(-6f);
    assertThat(a[2]).isEqualTo(14f);
    assertThat(a[4]).isCloseTo(4f - 15f, within(1e-5f));
    assertThat(a[6]).isCloseTo(4f + 15f, within(1e-5f));
    float w = a[10] - a[8];
    float h = a[11] - a[9];
    assertThat(h / w).isCloseTo(0.5f, within(1e-5f));
    assertThat(a[14] - a[12]).isCloseTo(h, within(1e-4f));
  }

  @Test
  void ssdRejectsUnsupportedRecipes() {
    List<double[]> ratios = List.of(new double[] {2}, new double[] {2}, new double[] {2});
    assertThatThrownBy(() -> new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16, 32), ratios).withInputSize(400)))
        .hasMessageContaining("input_size must be 300 or 512");
    assertThatThrownBy(() -> new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16, 32), ratios).withBasesizeRatioRange(new double[] {0.3, 0.9}))).hasMessageContaining("basesize_ratio_range[0] must be 0.15 or 0.2");
    assertThatThrownBy(() -> new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16, 32), ratios).withMinSizes(new double[] {1, 2, 3}))).hasMessageContaining("min_sizes and max_sizes must be given together");
    assertThatThrownBy(() -> new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(8, 16), ratios)))
        .hasMessageContaining("ratios must have one list per level (2 strides); got 3");
    // (0.2, 0.9) over 11 levels: step int(70 / 9) = 7 gives 11 recipe sizes plus the extra first one.
    List<double[]> ratios11 = java.util.Collections.nCopies(11, new double[] {2});
    assertThatThrownBy(() -> new SSDAnchorGenerator(SSDAnchorGenerator.Params.of(Stride.squares(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), ratios11).withBasesizeRatioRange(new double[] {0.2, 0.9})))
        .hasMessageContaining("yields 12 levels").hasMessageContaining("11 strides");
  }
}
