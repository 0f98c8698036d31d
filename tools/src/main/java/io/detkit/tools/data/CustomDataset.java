package io.detkit.tools.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * What every dataset of a fixed list of images shares, as MMDetection's {@code CustomDataset}:
 * the class names, the number of images, and the bounds check before an image is loaded. A
 * subclass says how many images it has and their classes once, at construction, and loads an
 * image whose index is already known to be valid.
 */
public abstract class CustomDataset implements DetectionDataset {
  private final int size;
  private final List<String> classes;

  /**
   * @param size the number of images (>= 0)
   * @param classes the class names, labels index into them (copied)
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws NullPointerException if {@code classes} is or holds null
   */
  protected CustomDataset(int size, List<String> classes) {
    checkArgument(size >= 0, "size must be >= 0; got %s", size);
    this.size = size;
    this.classes = List.copyOf(classes);
  }

  @Override
  public final int size() {
    return size;
  }

  @Override
  public final List<String> classes() {
    return classes;
  }

  @Override
  public final RawSample load(int index) {
    return loadImage(DetectionDataset.checkIndex(index, size));
  }

  /**
   * Loads image {@code index}, already checked to be in {@code [0, size())}; called by
   * {@link #load}, from whichever threads the subclass allows.
   *
   * @throws DataException if the image cannot be read or violates a limit
   */
  protected abstract RawSample loadImage(int index);
}
