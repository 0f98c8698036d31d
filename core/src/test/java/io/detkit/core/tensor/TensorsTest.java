package io.detkit.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TensorsTest {
  private static INDArray grid(DataType type) {
    return Nd4j.createFromArray(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}).castTo(type).reshape('c', 3, 4);
  }

  @Test
  void readsDenseArraysOfEveryDtypeInCOrder() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.INT64, DataType.INT32}) {
      assertThat(Tensors.toDoubles(grid(t))).as(t.toString()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
      assertThat(Tensors.toInts(grid(t))).as(t.toString()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }
  }

  @Test
  void readsViewsTransposesAndFortranOrderCorrectly() {
    INDArray g = grid(DataType.FLOAT);
    assertThat(Tensors.toDoubles(g.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all())))
        .containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(Tensors.toDoubles(g.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3))))
        .containsExactly(1, 2, 5, 6, 9, 10);
    assertThat(Tensors.toDoubles(g.getRow(2))).containsExactly(8, 9, 10, 11);
    assertThat(Tensors.toDoubles(g.getColumn(1))).containsExactly(1, 5, 9);
    assertThat(Tensors.toDoubles(g.transpose())).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
    assertThat(Tensors.toDoubles(g.dup('f'))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    INDArray longs = grid(DataType.INT64);
    assertThat(Tensors.toInts(longs.getColumn(3))).containsExactly(3, 7, 11);
  }

  @Test
  void emptyArraysGiveEmptyArrays() {
    assertThat(Tensors.toDoubles(Nd4j.create(DataType.FLOAT, 0, 4))).isEmpty();
    assertThat(Tensors.toInts(Nd4j.create(DataType.INT64, 0))).isEmpty();
  }
}
