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
}
