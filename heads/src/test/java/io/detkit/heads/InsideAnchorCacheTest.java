package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The inside anchors kept per image from step to step, and what makes them computed again. */
class InsideAnchorCacheTest {
  // One level of 2 x 3 cells, one anchor each, 10 pixels wide and high, the last column valid for
  // no image (its cells lie off the padded image).
  private static final double[] ANCHORS = {
      0, 0, 10, 10, 10, 0, 20, 10, 20, 0, 30, 10,
      0, 10, 10, 20, 10, 10, 20, 20, 20, 10, 30, 20};
  private static final boolean[] VALID = {true, true, false, true, true, false};

  static MultiLevelAnchors anchors() {
    return MultiLevelAnchors.of(DataType.FLOAT, List.of(new int[] {2, 3}), List.of(ANCHORS),
        List.of(List.of(VALID)));
  }

  static SingleImageInput image(MultiLevelAnchors anchors, int height, int width) {
    GroundTruth gt = GroundTruth.of(Tensors.create(new double[] {1, 1, 9, 9}, DataType.FLOAT, 1, 4),
        Tensors.createLong(new long[] {0}, 1));
    return new SingleImageInput(0, anchors, gt, ImageMeta.ofSize(height, width), 1, new SplittableRandom(1));
  }

  @Test
  void aLaterStepOnTheSameImageShapeGetsTheKeptArrays() {
    MultiLevelAnchors anchors = anchors();
    InsideAnchors first = InsideAnchors.kept(image(anchors, 21, 30), 0);
    InsideAnchors again = InsideAnchors.kept(image(anchors, 21, 30), 0);

    assertThat(again.insideFlags()).isSameAs(first.insideFlags());
    assertThat(again.insideIndices()).isSameAs(first.insideIndices());
    assertThat(again.anchors()).isSameAs(first.anchors());
    // The same values as computing them afresh.
    boolean[] expected = AnchorUtils.insideFlags(ANCHORS, VALID, ImageMeta.ofSize(21, 30), 0);
    assertThat(first.insideFlags()).containsExactly(expected);
    assertThat(first.insideIndices()).containsExactly(AnchorUtils.indicesOf(expected));
    assertThat(Tensors.toDoubles(first.anchors()))
        .containsExactly(Tensors.toDoubles(image(anchors, 21, 30).anchorsWhere(expected)));
  }

  @Test
  void anotherImageShapeOrBorderIsComputedAgain() {
    MultiLevelAnchors anchors = anchors();
    InsideAnchors wide = InsideAnchors.kept(image(anchors, 21, 30), 0);
    InsideAnchors narrow = InsideAnchors.kept(image(anchors, 21, 15), 0);
    InsideAnchors bordered = InsideAnchors.kept(image(anchors, 21, 15), 10);

    assertThat(wide.insideIndices()).containsExactly(0, 1, 3, 4);
    // 15 pixels wide: the second column (x2 = 20) sticks out; with a border of 10 it is inside again.
    assertThat(narrow.insideIndices()).containsExactly(0, 3);
    assertThat(bordered.insideIndices()).containsExactly(0, 1, 3, 4);
    assertThat(bordered.insideFlags()).isNotSameAs(wide.insideFlags());
  }

  @Test
  void closingTheKeptAnchorsLeavesThemToTheCache() {
    MultiLevelAnchors anchors = anchors();
    InsideAnchors first = InsideAnchors.kept(image(anchors, 21, 30), 0);
    first.anchors().close();

    InsideAnchors again = InsideAnchors.kept(image(anchors, 21, 30), 0);
    assertThat(again.anchors().wasClosed()).isFalse();
    assertThat(Tensors.toDoubles(again.anchors())).containsExactly(0, 0, 10, 10, 10, 0, 20, 10, 0, 10, 10, 20, 10,
        10, 20, 20);
  }

  @Test
  void theZeroedAnchorsAreKeptOnlyForTheFlagsTheCacheHandedOut() {
    MultiLevelAnchors anchors = anchors();
    SingleImageInput in = image(anchors, 21, 30);
    boolean[] flags = InsideAnchors.kept(in, 0).insideFlags();

    double[] kept = anchors.insideCache().zeroedOutside(in.imageIndex(), in.flatAnchorsNoCopy(), flags);
    assertThat(anchors.insideCache().zeroedOutside(in.imageIndex(), in.flatAnchorsNoCopy(), flags)).isSameAs(kept);
    assertThat(kept).containsExactly(AnchorUtils.zeroOutside(ANCHORS, flags));
    // Flags of the caller's own (a hook's edit): computed for them, not the kept array.
    boolean[] edited = flags.clone();
    edited[0] = false;
    double[] other = anchors.insideCache().zeroedOutside(in.imageIndex(), in.flatAnchorsNoCopy(), edited);
    assertThat(other).isNotSameAs(kept).containsExactly(AnchorUtils.zeroOutside(ANCHORS, edited));
  }

  @Test
  void theKeptAtssPriorsServeOnlyTheKeptFlagsWithTheKeptAnchors() {
    MultiLevelAnchors anchors = anchors();
    SingleImageInput in = image(anchors, 21, 30);
    InsideAnchors kept = InsideAnchors.kept(in, 0);
    InsideAnchorCache cache = anchors.insideCache();
    assertThat(cache.atssPriors(0, kept.insideFlags(), in.numLevelAnchors(), kept.anchors()))
        .isSameAs(cache.atssPriors(0, kept.insideFlags(), in.numLevelAnchors(), kept.anchors()));

    // A hook's own InsideAnchors: the kept flags and indices, its own anchors (the first two swapped,
    // so the gt's best anchor moves from index 0 to index 1).
    double[] swapped = Tensors.toDoubles(kept.anchors());
    for (int c = 0; c < 4; c++) {
      double t = swapped[c];
      swapped[c] = swapped[4 + c];
      swapped[4 + c] = t;
    }
    InsideAnchors own = new InsideAnchors(in, kept.insideFlags(), kept.insideIndices(),
        Tensors.create(swapped, DataType.FLOAT, kept.count(), 4));
    ATSSAssigner atss = new ATSSAssigner(ATSSAssigner.Params.of(9));

    AssignResult result = own.assign(atss, true);
    AssignResult expected = atss.assign(own.anchors(), own.numLevelInside(), in.gt().bboxes(), null,
        in.gt().labels().orElse(null));
    assertThat(result.gtInds()).containsExactly(expected.gtInds()).containsExactly(0, 1, 0, 0);
    assertThat(kept.assign(atss, true).gtInds()).containsExactly(1, 0, 0, 0);
  }
}
