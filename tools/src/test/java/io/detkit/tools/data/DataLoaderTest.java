package io.detkit.tools.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.config.ConfigLoader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  private final ShapesDataset data = new ShapesDataset(10, 32, 1, 3, 6, 14, 0.05, 4);
  private final Pipeline flip = Pipeline.fromConfig(ConfigLoader.fromPython(
      "p = [dict(type='RandomFlip', flip_ratio=0.5), dict(type='Pad', size_divisor=16)]", "p.py").getList("p"), "p");

  private List<Batch> epoch(DataLoader loader, int e) {
    List<Batch> out = new ArrayList<>();
    Iterator<Batch> it = loader.epoch(e);
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  @Test
  void epochsAreReproducibleAndShuffledDifferently() {
    try (DataLoader a = new DataLoader(data, flip, 4, true, 9, 32); DataLoader b = new DataLoader(data, flip, 4, true, 9, 32)) {
      List<Batch> e0 = epoch(a, 0);
      List<Batch> again = epoch(b, 0);
      assertThat(e0).hasSize(3);
      assertThat(e0.get(2).size()).isEqualTo(2);
      for (int i = 0; i < e0.size(); i++) {
        assertThat(e0.get(i).images().equals(again.get(i).images())).isTrue();
        assertThat(names(e0.get(i))).isEqualTo(names(again.get(i)));
      }
      assertThat(names(epoch(a, 1).get(0))).isNotEqualTo(names(e0.get(0)));
      // Padded to the network's divisor: 32 x 32 stays 32 x 32.
      assertThat(e0.get(0).images().shape()).containsExactly(4, 3, 32, 32);
      assertThat(e0.get(0).metas().get(0).padShape().get(0)).isEqualTo(32);
    }
  }

  @Test
  void withoutShufflingTheOrderIsTheDatasetOrder() {
    try (DataLoader l = new DataLoader(data, flip, 3, false, 1, 16)) {
      assertThat(names(epoch(l, 5).get(1))).containsExactly("shapes_4_3", "shapes_4_4", "shapes_4_5");
    }
  }

  @Test
  void collatePadsToTheLargestImage() {
    DetectionSample small = flip.apply(new ShapesDataset(1, 20, 1, 1, 6, 10, 0, 1).load(0),
        new java.util.SplittableRandom(1));
    DetectionSample big = flip.apply(new ShapesDataset(1, 40, 1, 1, 6, 10, 0, 1).load(0),
        new java.util.SplittableRandom(1));
    Batch b = DataLoader.collate(List.of(small, big), 16);
    assertThat(b.images().shape()).containsExactly(2, 3, 48, 48);
    assertThat(b.metas().get(0).padShape().get(0)).isEqualTo(32);
    assertThat(b.groundTruths().get(1).size()).isEqualTo(1);
    // Each image at the top left of its slot, zeros around it.
    float[] all = b.images().data().asFloat();
    int slot = 3 * 48 * 48;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 48; x++) {
          int at = (c * 48 + y) * 48 + x;
          float first = y < 32 && x < 32 ? small.image()[(c * 32 + y) * 32 + x] : 0f;
          assertThat(all[at]).isEqualTo(first);
          assertThat(all[slot + at]).isEqualTo(big.image()[at]);
        }
      }
    }
  }

  @Test
  void collateOfNoSamplesIsAnEmptyBatch() {
    Batch b = DataLoader.collate(List.of(), 16);
    assertThat(b.size()).isZero();
    assertThat(b.images().length()).isZero();
  }

  private static List<String> names(Batch b) {
    return b.samples().stream().map(DetectionSample::name).toList();
  }
}
