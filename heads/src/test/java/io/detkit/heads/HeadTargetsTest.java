package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Regrouping per-image targets per level, editing them, and the checks on their shapes. */
class HeadTargetsTest {
  // Two levels of 2 and 1 anchors; image i has a positive at flat index 2 - i.
  private static ImageTargets image(int pos) {
    boolean[] inside = {true, true, true};
    int[] labels = {3, 3, 3};
    labels[pos] = 1;
    double[] bt = new double[12];
    bt[pos * 4] = 0.5;
    double[] bw = new double[12];
    Arrays.fill(bw, pos * 4, pos * 4 + 4, 1.0);
    int[] neg = pos == 0 ? new int[] {1, 2} : pos == 1 ? new int[] {0, 2} : new int[] {0, 1};
    AssignResult assign = new AssignResult(1, new int[] {pos == 0 ? 1 : 0, pos == 1 ? 1 : 0, pos == 2 ? 1 : 0},
        new double[3], null);
    return ImageTargets.of(inside, labels, new double[] {1, 1, 1}, bt, bw, null, new int[] {pos}, new int[] {0}, neg,
        assign, null);
  }

  @Test
  void imagesAreRegroupedPerLevel() {
    HeadTargets t = HeadTargets.of(DataType.FLOAT, 3, new int[] {2, 1}, List.of(image(2), image(1)));
    assertThat(t.labels(0).shape()).containsExactly(2, 2);
    assertThat(t.labelsData(0)).containsExactly(3, 3, 3, 1);
    assertThat(t.labelsData(1)).containsExactly(1, 3);
    assertThat(t.bboxTargets(1).shape()).containsExactly(2, 1, 4);
    assertThat(t.bboxTargetsData(1)).containsExactly(0.5, 0, 0, 0, 0, 0, 0, 0);
    assertThat(t.numTotalPos()).isEqualTo(2);
    assertThat(t.numTotalNeg()).isEqualTo(4);
    assertThat(t.anchors(0)).isEmpty();
    assertThat(t.asMap()).containsOnlyKeys("labels", "label_weights", "bbox_targets", "bbox_weights");
  }

  @Test
  void extrasAndEditedImagesKeepTheirPlace() {
    ImageTargets a = image(0).withExtra("quality", 1, new double[] {0.9, 0, 0});
    ImageTargets b = image(2).withExtra("quality", 1, new double[] {0, 0, 0.4});
    HeadTargets t = HeadTargets.of(DataType.FLOAT, 3, new int[] {2, 1}, List.of(a, b))
        .withLevelExtra("level_note", List.of(Tensors.create(new double[4], DataType.FLOAT, 2, 2),
            Tensors.create(new double[] {7, 8}, DataType.FLOAT, 2, 1)));
    assertThat(t.extraNames()).containsExactly("quality", "level_note");
    assertThat(Tensors.toDoubles(t.extra("quality", 1).orElseThrow())).containsExactly(0.0, (double) 0.4f);
    HeadTargets edited = t.withImages(List.of(a.withLabelWeights(new double[] {2, 1, 1}), b));
    assertThat(edited.labelWeightsData(0)).containsExactly(2, 1, 1, 1);
    assertThat(Tensors.toDoubles(edited.extra("level_note", 1).orElseThrow())).containsExactly(7, 8);
  }

  @Test
  void rowsOfAnImageWithoutTheFieldAreRefusedNamingTheImageAndTheField() {
    double[] anchors = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    LevelArrays levels = new LevelArrays(3, new int[] {2, 1}, List.of(image(2).withAnchors(anchors), image(1)));
    // Level 0 rows, image-major: rows 0-1 are image 0's, rows 2-3 image 1's (which carries no anchors).
    assertThat(levels.rowsAt(0, new int[] {1}, 4, ImageTargets::anchorsNoCopy, "anchors")).containsExactly(2, 2, 3, 3);
    assertThatThrownBy(() -> levels.rowsAt(0, new int[] {1, 3}, 4, ImageTargets::anchorsNoCopy, "anchors"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("image 1 has no anchors array")
        .hasMessageContaining("row 3 of level 0");
  }

  @Test
  void positiveRowsAreTheForegroundLabelsOfALevel() {
    HeadTargets t = HeadTargets.of(DataType.FLOAT, 3, new int[] {2, 1}, List.of(image(2), image(1)));
    assertThat(t.positiveRows(0)).containsExactly(3);
    assertThat(t.positiveRows(1)).containsExactly(0);
    assertThat(t.withEpoch(2).positiveRows(0)).containsExactly(3);
    assertThatThrownBy(() -> t.positiveRows(2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("level");
  }

  @Test
  void perLevelArraysAreCopiesOfTheGatheredOnes() {
    HeadTargets t = HeadTargets.of(DataType.FLOAT, 3, new int[] {2, 1}, List.of(image(2), image(1)));
    // Each level is gathered once and kept: what a caller changes must not reach the next reader.
    t.labelsData(0)[3] = 0;
    t.bboxTargetsData(1)[0] = 9;
    t.positiveRows(0)[0] = 1;
    assertThat(t.labelsData(0)).containsExactly(3, 3, 3, 1);
    assertThat(t.bboxTargetsData(1)).containsExactly(0.5, 0, 0, 0, 0, 0, 0, 0);
    assertThat(t.positiveRows(0)).containsExactly(3);
    assertThat(t.withEpoch(1).labelsData(0)).containsExactly(3, 3, 3, 1);
  }

  @Test
  void inconsistentTargetsAreRejected() {
    assertThatThrownBy(() -> HeadTargets.of(DataType.FLOAT, 3, new int[] {2, 2}, List.of(image(0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must cover all 4 anchors");
    assertThatThrownBy(() -> HeadTargets.of(DataType.FLOAT, 3, new int[] {2, 1},
        List.of(image(0), image(1).withAnchors(new double[12]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries other outputs");
    assertThatThrownBy(() -> image(0).withLabelWeights(new double[2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label_weights must have 3 values");
    AssignResult assign = AssignResult.allNegative(0, 3, false);
    assertThatThrownBy(() -> ImageTargets.of(new boolean[3], new int[3], new double[3], new double[12],
        new double[12], null, new int[0], new int[0], new int[] {2, 1}, assign, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neg_inds must be increasing");
    assertThatThrownBy(() -> image(0).withExtra("x", 2, new double[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra 'x' must have 6 values");
  }
}
