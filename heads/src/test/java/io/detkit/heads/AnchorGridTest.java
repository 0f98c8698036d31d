package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The anchors of a head's last call are handed out again for the same sizes, dtype and pad shapes only. */
class AnchorGridTest {
  private static final List<int[]> SIZES = List.of(new int[] {4, 4});

  @Test
  void aRepeatedCallGetsTheSameAnchors() {
    AnchorHead head = Tiny.head(-1, 0, -1);
    MultiLevelAnchors first = head.getAnchors(SIZES, List.of(Tiny.meta(32, 32)), DataType.FLOAT);
    MultiLevelAnchors again = head.getAnchors(List.of(new int[] {4, 4}), List.of(Tiny.meta(32, 32)), DataType.FLOAT);
    assertThat(again).isSameAs(first);
    MultiLevelAnchors fresh = Tiny.head(-1, 0, -1).getAnchors(SIZES, List.of(Tiny.meta(32, 32)), DataType.FLOAT);
    assertThat(again.flatAnchorData()).containsExactly(fresh.flatAnchorData());
    assertThat(again.flatValidFlags(0)).containsExactly(fresh.flatValidFlags(0));
  }

  @Test
  void anotherPadShapeSizeOrDtypeGetsItsOwnAnchors() {
    AnchorHead head = Tiny.head(-1, 0, -1);
    MultiLevelAnchors full = head.getAnchors(SIZES, List.of(Tiny.meta(32, 32)), DataType.FLOAT);
    ImageMeta padded = ImageMeta.of(new int[] {16, 16}, new int[] {16, 16}, new int[] {16, 16}, 1.0);
    MultiLevelAnchors half = head.getAnchors(SIZES, List.of(padded), DataType.FLOAT);
    assertThat(half).isNotSameAs(full);
    assertThat(half.flatValidFlags(0)).isNotEqualTo(full.flatValidFlags(0));
    MultiLevelAnchors two = head.getAnchors(SIZES, List.of(Tiny.meta(32, 32), padded), DataType.FLOAT);
    assertThat(two.numImages()).isEqualTo(2);
    assertThat(head.getAnchors(SIZES, List.of(Tiny.meta(32, 32)), DataType.DOUBLE).dataType())
        .isEqualTo(DataType.DOUBLE);
    assertThat(head.getAnchors(List.of(new int[] {2, 2}), List.of(Tiny.meta(32, 32)), DataType.FLOAT).totalAnchors())
        .isLessThan(full.totalAnchors());
  }
}
