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
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray h = grid(t);
      assertThat(Tensors.toFloats(h.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all())))
          .as(t.toString()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
      assertThat(Tensors.toFloats(h.getRow(2))).as(t.toString()).containsExactly(8, 9, 10, 11);
      assertThat(Tensors.toDoubles(h.getRow(1))).as(t.toString()).containsExactly(4, 5, 6, 7);
      assertThat(Tensors.toDoubles(h.reshape(3, 4).getRow(0))).as(t.toString()).containsExactly(0, 1, 2, 3);
      assertThat(Tensors.toFloats(h.transpose())).as(t.toString())
          .containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
    }
  }

  @Test
  void emptyArraysGiveEmptyArrays() {
    assertThat(Tensors.toDoubles(Nd4j.create(DataType.FLOAT, 0, 4))).isEmpty();
    assertThat(Tensors.toInts(Nd4j.create(DataType.INT64, 0))).isEmpty();
  }

  @Test
  void bulkCreateMatchesNd4jsCastBitForBitAndKeepsShapeAndOrder() {
    double[] d = {0.1, -0.0, 1e-40, 3.4028235677973366e38, Double.NaN, Double.NEGATIVE_INFINITY, 1 + 0x1p-24, 7};
    INDArray viaCast = Nd4j.createFromArray(d).castTo(DataType.FLOAT).reshape('c', 2, 4);
    INDArray f = Tensors.create(d, DataType.FLOAT, 2, 4);
    assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(f.shape()).containsExactly(2, 4);
    assertThat(f.ordering()).isEqualTo('c');
    for (int i = 0; i < d.length; i++) {
      assertThat(Float.floatToRawIntBits(f.getFloat(i / 4, i % 4)))
          .as("element %d", i).isEqualTo(Float.floatToRawIntBits(viaCast.getFloat(i / 4, i % 4)));
    }
    assertThat(Tensors.toDoubles(Tensors.create(d, DataType.DOUBLE, 4, 2))).containsExactly(d);
    float[] fl = {1.5f, -2f, 0f, 3e-39f, 8f, 9f};
    assertThat(Tensors.toFloats(Tensors.create(fl, DataType.FLOAT, 3, 1, 2))).containsExactly(fl);
    assertThat(Tensors.create(fl, DataType.FLOAT, 3, 1, 2).shape()).containsExactly(3, 1, 2);
    assertThat(Tensors.create(new double[] {2.5}, DataType.FLOAT).rank()).isZero();
    assertThat(Tensors.create(new float[] {2.5f}, DataType.DOUBLE).getDouble(0)).isEqualTo(2.5);
  }
}
