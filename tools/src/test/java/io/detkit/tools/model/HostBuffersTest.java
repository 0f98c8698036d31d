package io.detkit.tools.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class HostBuffersTest {
  @Test
  void valuesReadAndWriteRangesOfAViewAtItsOffset() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray all = Nd4j.arange(0, 40).castTo(type).reshape(4, 10);
      INDArray rows = all.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()); // dense, offset 10
      HostBuffers.Values v = new HostBuffers.Values(rows);
      double[] tile = new double[6];
      v.read(3, tile, 5);
      assertThat(tile).as("%s", type).containsExactly(13, 14, 15, 16, 17, 0);
      v.write(new double[] {0.1, -2.5}, 18, 2);
      assertThat(all.getDouble(2, 8)).isEqualTo(type == DataType.FLOAT ? (float) 0.1 : 0.1);
      assertThat(all.getDouble(2, 9)).isEqualTo(-2.5);
      assertThat(all.getDouble(2, 7)).isEqualTo(27);
      assertThat(all.getDouble(3, 0)).isEqualTo(30);
    }
  }

  @Test
  void valuesRefuseAnArrayThatIsNotDense() {
    INDArray columns = Nd4j.zeros(DataType.FLOAT, 4, 10).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
    assertThatThrownBy(() -> new HostBuffers.Values(columns)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dense C-order");
    assertThatThrownBy(() -> new HostBuffers.Values(Nd4j.zeros(DataType.INT, 3)))
        .hasMessageContaining("FLOAT or DOUBLE").hasMessageContaining("INT");
  }
}
