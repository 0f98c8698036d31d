package io.detkit.tools.data;

import java.util.List;

/** A list of annotated images, MMDetection's dataset without the pipeline. */
public interface DetectionDataset {
  /** Number of images. */
  int size();

  /** Class names; labels index into this list. */
  List<String> classes();

  /**
   * Loads image {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
   * @throws DataException if the image cannot be read or violates a limit
   */
  RawSample load(int index);

  /**
   * The bounds check every {@link #load} makes, with one message for all datasets.
   *
   * @return {@code index}
   * @throws IndexOutOfBoundsException {@code index must be in [0, size); got index} otherwise
   */
  static int checkIndex(int index, int size) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index must be in [0, " + size + "); got " + index);
    }
    return index;
  }
}
