package io.detkit.tools.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.tools.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoDatasetTest {
  @TempDir
  Path dir;

  static String annotations(String images, String anns) {
    return "{\"images\": [" + images + "], \"annotations\": [" + anns + "], \"categories\": ["
        + "{\"id\": 7, \"name\": \"cat\"}, {\"id\": 3, \"name\": \"dog\"}]}";
  }

  private Path write(String json) throws IOException {
    Path f = dir.resolve("ann.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void readsBoxesLabelsAndCrowdRegionsAsMmdetectionDoes() throws IOException {
    TestConfigs.png(dir.resolve("img/a.png"), 30, 20);
    TestConfigs.png(dir.resolve("img/b.png"), 10, 10);
    Path ann = write(annotations(
        "{\"id\": 1, \"file_name\": \"a.png\", \"width\": 30, \"height\": 20},"
            + "{\"id\": 2, \"file_name\": \"b.png\", \"width\": 10, \"height\": 10}",
        "{\"id\": 1, \"image_id\": 1, \"category_id\": 7, \"bbox\": [1, 2, 10, 5], \"area\": 50, \"iscrowd\": 0},"
            + "{\"id\": 2, \"image_id\": 1, \"category_id\": 3, \"bbox\": [4, 4, 6, 6], \"area\": 36, \"iscrowd\": 0},"
            + "{\"id\": 3, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 5, 5], \"area\": 25, \"iscrowd\": 1},"
            + "{\"id\": 4, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 0.5, 5], \"area\": 2, \"iscrowd\": 0}"));
    CocoDataset ds = new CocoDataset(ann, dir.resolve("img"), null, true, CocoDataset.DEFAULT_MAX_PIXELS);
    // Categories sorted by id: dog (3) is label 0, cat (7) label 1; b.png has no box and is dropped.
    assertThat(ds.classes()).containsExactly("dog", "cat");
    assertThat(ds.size()).isEqualTo(1);
    RawSample s = ds.load(0);
    assertThat(s.image().getWidth()).isEqualTo(30);
    assertThat(s.boxes()).containsExactly(1, 2, 11, 7, 4, 4, 10, 10);
    assertThat(s.labels()).containsExactly(1, 0);
    assertThat(s.ignoreBoxes()).containsExactly(0, 0, 5, 5);

    CocoDataset all = new CocoDataset(ann, dir.resolve("img"), List.of("cat"), false, CocoDataset.DEFAULT_MAX_PIXELS);
    assertThat(all.classes()).containsExactly("cat");
    assertThat(all.size()).isEqualTo(2);
    assertThat(all.load(0).labels()).containsExactly(0);
    assertThat(all.load(1).labels()).isEmpty();
  }

  @Test
  void fileNamesMustStayInsideTheImageFolder() throws IOException {
    TestConfigs.png(dir.resolve("outside.png"), 4, 4);
    Files.createDirectories(dir.resolve("img"));
    for (String name : List.of("../outside.png", dir.resolve("outside.png").toString(), "sub/../../outside.png")) {
      Path ann = write(annotations("{\"id\": 1, \"file_name\": \"" + name + "\", \"width\": 4, \"height\": 4}", ""));
      assertThatThrownBy(() -> new CocoDataset(ann, dir.resolve("img"), null, false, 100))
          .isInstanceOf(DataException.class).hasMessageContaining("escapes the image folder");
    }
  }

  @Test
  void symbolicLinksLeadingOutAreRejected() throws IOException {
    TestConfigs.png(dir.resolve("outside.png"), 4, 4);
    Files.createDirectories(dir.resolve("img"));
    try {
      Files.createSymbolicLink(dir.resolve("img/link.png"), dir.resolve("outside.png"));
    } catch (UnsupportedOperationException | IOException e) {
      return; // no symbolic links on this file system
    }
    Path ann = write(annotations("{\"id\": 1, \"file_name\": \"link.png\", \"width\": 4, \"height\": 4}", ""));
    assertThatThrownBy(() -> new CocoDataset(ann, dir.resolve("img"), null, false, 100))
        .hasMessageContaining("links outside the image folder");
  }

  @Test
  void imagesOverThePixelLimitAreRejectedBeforeDecoding() throws IOException {
    TestConfigs.png(dir.resolve("img/big.png"), 50, 40);
    Path declared = write(annotations("{\"id\": 1, \"file_name\": \"big.png\", \"width\": 50, \"height\": 40}", ""));
    assertThatThrownBy(() -> new CocoDataset(declared, dir.resolve("img"), null, false, 1000))
        .hasMessageContaining("2000 pixels").hasMessageContaining("max_pixels");
    Path lying = write(annotations("{\"id\": 1, \"file_name\": \"big.png\", \"width\": 5, \"height\": 4}", ""));
    CocoDataset ds = new CocoDataset(lying, dir.resolve("img"), null, false, 1000);
    assertThatThrownBy(() -> ds.load(0)).isInstanceOf(DataException.class).hasMessageContaining("50x40");
  }

  @Test
  void unreadableAndMissingFilesAreNamed() throws IOException {
    Files.createDirectories(dir.resolve("img"));
    Files.writeString(dir.resolve("img/bad.png"), "not an image");
    Path ann = write(annotations("{\"id\": 1, \"file_name\": \"bad.png\"}, {\"id\": 2, \"file_name\": \"gone.png\"}",
        ""));
    CocoDataset ds = new CocoDataset(ann, dir.resolve("img"), null, false, 100);
    assertThatThrownBy(() -> ds.load(0)).isInstanceOf(DataException.class)
        .hasMessageContaining("bad.png").hasMessageContaining("not a supported image format");
    assertThatThrownBy(() -> ds.load(1)).hasMessageContaining("image not found").hasMessageContaining("gone.png");
    assertThatThrownBy(() -> new CocoDataset(dir.resolve("nope.json"), dir.resolve("img"), null, false, 100))
        .hasMessageContaining("annotation file not found");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"images\": 3}");
    assertThatThrownBy(() -> new CocoDataset(broken, dir.resolve("img"), null, false, 100))
        .hasMessageContaining("'categories' array");
    assertThatThrownBy(() -> new CocoDataset(ann, dir.resolve("img"), List.of("bird"), false, 100))
        .hasMessageContaining("class 'bird'");
  }
}
