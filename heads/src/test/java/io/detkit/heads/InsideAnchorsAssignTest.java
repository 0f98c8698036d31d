package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.BaseAssigner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What every anchor head's assignment hands the assigner: level counts only to an assigner that uses them. */
class InsideAnchorsAssignTest {

  /** Records what it was called with; assigns every prior to the background. */
  private static final class Recording implements BaseAssigner {
    private final boolean usesLevels;
    final List<int[]> levelCounts = new ArrayList<>();
    final List<INDArray> labels = new ArrayList<>();

    Recording(boolean usesLevels) {
      this.usesLevels = usesLevels;
    }

    @Override
    public AssignResult assign(INDArray bboxes, int[] numLevelBboxes, INDArray gtBboxes, INDArray gtBboxesIgnore,
        INDArray gtLabels) {
      levelCounts.add(numLevelBboxes);
      labels.add(gtLabels);
      int n = (int) bboxes.size(0);
      return new AssignResult((int) gtBboxes.size(0), new int[n], new double[n], null);
    }

    @Override
    public boolean usesLevelCounts() {
      return usesLevels;
    }
  }

  private static InsideAnchors inside() {
    return InsideAnchors.kept(InsideAnchorCacheTest.image(InsideAnchorCacheTest.anchors(), 21, 30), 0);
  }

  @Test
  void anAssignerThatUsesNoLevelCountsGetsNoneAndTheLabelsOnlyWhenAsked() {
    Recording plain = new Recording(false);

    inside().assign(plain, false);
    inside().assign(plain, true);

    assertThat(plain.levelCounts).containsExactly(null, null);
    assertThat(plain.labels.get(0)).isNull();
    assertThat(plain.labels.get(1).toLongVector()).containsExactly(0L);
  }

  @Test
  void anAssignerThatUsesLevelCountsGetsEachLevelsInsideCount() {
    Recording perLevel = new Recording(true);
    InsideAnchors in = inside();

    AssignResult result = in.assign(perLevel, true);

    assertThat(perLevel.levelCounts).hasSize(1);
    assertThat(perLevel.levelCounts.get(0)).containsExactly(in.numLevelInside()).containsExactly(4);
    assertThat(result.size()).isEqualTo(4);
  }

  @Test
  void aNullAssignerIsRefusedByName() {
    assertThatThrownBy(() -> inside().assign(null, true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("assigner");
  }
}
