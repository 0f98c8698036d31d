package io.detkit.heads;

import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.ATSSPriors;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each image's inside anchors of one {@link MultiLevelAnchors}, kept from step to step: the flags,
 * their indices, the inside anchors as an array, the anchors zeroed outside that ATSS and GFL attach
 * to their targets, and the inside anchors prepared for ATSS's assigner ({@link ATSSPriors}: their values,
 * centres and candidate search bounds). They depend only on the anchors, the image's valid flags (both fixed in
 * the {@code MultiLevelAnchors}), its {@code img_shape} and {@code allowed_border}, and
 * {@link AnchorGrid} hands out the same anchors to every step of a trainer's steady state, so a
 * step recomputes nothing of them (a COCO-size ATSS image: about 1.4 MB of arrays and a scan of
 * 81,000 coordinates a step).
 *
 * <p>Keeps the last entry of each image only (a new {@code img_shape} replaces it). The arrays are
 * shared by every step that reads them, read-only by the contract of {@link InsideAnchors} and
 * {@link ImageTargets}; the ND4J array is marked not closeable, so a consumer's {@code close()}
 * leaves it to the cache. Thread-safe: two steps racing on one image compute the same entry, and
 * either may be kept.
 *
 * <p>Speaks in the image's index and plain arrays only, never in {@link SingleImageInput} or
 * {@link InsideAnchors} (which call it): the heads' source files stay free of import cycles.
 */
final class InsideAnchorCache {
  /**
   * One image's inside anchors for one {@code img_shape} and {@code allowed_border}; what only some
   * heads read (the zeroed anchors, ATSS's prepared priors) is made on first use, under the entry's
   * lock.
   */
  static final class Entry {
    final int imgHeight;
    final int imgWidth;
    final int allowedBorder;
    final boolean[] flags;
    final int[] indices;
    final INDArray anchors;
    private double[] zeroedOutside;
    private ATSSPriors priors;

    Entry(ImageMeta meta, int allowedBorder, boolean[] flags, INDArray anchors) {
      this.imgHeight = meta.imgHeight();
      this.imgWidth = meta.imgWidth();
      this.allowedBorder = allowedBorder;
      this.flags = flags;
      this.indices = AnchorUtils.indicesOf(flags);
      this.anchors = anchors;
    }

    /** The inside flags, one per anchor of the image; shared, read-only. */
    boolean[] flags() {
      return flags;
    }

    /** The flat index of each inside anchor, increasing; shared, read-only. */
    int[] indices() {
      return indices;
    }

    /** The inside anchors {@code [count, 4]}, not closeable. */
    INDArray anchors() {
      return anchors;
    }

    boolean matches(ImageMeta meta, int border) {
      return imgHeight == meta.imgHeight() && imgWidth == meta.imgWidth() && allowedBorder == border;
    }

    synchronized double[] zeroedOutside(double[] flatAnchors) {
      if (zeroedOutside == null) {
        zeroedOutside = AnchorUtils.zeroOutside(flatAnchors, flags);
      }
      return zeroedOutside;
    }

    synchronized ATSSPriors priors(int[] numLevelAnchors) {
      if (priors == null) {
        priors = ATSSAssigner.prepare(anchors, AnchorUtils.numLevelInside(numLevelAnchors, flags));
      }
      return priors;
    }
  }

  private final AtomicReferenceArray<Entry> last;

  /** An empty cache for {@code numImages} images. */
  InsideAnchorCache(int numImages) {
    this.last = new AtomicReferenceArray<>(numImages);
  }

  /**
   * The inside anchors of image {@code imageIndex} ({@link AnchorUtils#insideFlags} of its
   * {@code flatAnchors} and {@code validFlags} with {@code meta}'s {@code img_shape} and
   * {@code allowedBorder}), computed on the first call for that shape and border;
   * {@code anchorsWhere} gathers the flagged anchors into an array.
   */
  Entry inside(int imageIndex, ImageMeta meta, int allowedBorder, double[] flatAnchors, boolean[] validFlags,
      Function<boolean[], INDArray> anchorsWhere) {
    Entry e = last.get(imageIndex);
    if (e != null && e.matches(meta, allowedBorder)) {
      return e;
    }
    boolean[] flags = AnchorUtils.insideFlags(flatAnchors, validFlags, meta, allowedBorder);
    INDArray anchors;
    // Outside any workspace: the array outlives the step (and the scope) that made it.
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      anchors = anchorsWhere.apply(flags);
    }
    anchors.setCloseable(false);
    e = new Entry(meta, allowedBorder, flags, anchors);
    last.set(imageIndex, e);
    return e;
  }

  /**
   * {@link AnchorUtils#zeroOutside} of image {@code imageIndex}'s {@code flatAnchors} under
   * {@code insideFlags}: the kept array when the flags are the ones this cache handed out for the
   * image, else a new one.
   */
  double[] zeroedOutside(int imageIndex, double[] flatAnchors, boolean[] insideFlags) {
    Entry e = handedOut(imageIndex, insideFlags);
    return e == null ? AnchorUtils.zeroOutside(flatAnchors, insideFlags) : e.zeroedOutside(flatAnchors);
  }

  /**
   * Image {@code imageIndex}'s inside anchors ({@code insideAnchors} under {@code insideFlags})
   * prepared for ATSS assignments with each level's inside count ({@link ATSSAssigner#prepare}): kept
   * when the flags and the anchors array are the very ones this cache handed out, else new (a hook
   * may pair the kept flags with anchors of its own).
   */
  ATSSPriors atssPriors(int imageIndex, boolean[] insideFlags, int[] numLevelAnchors, INDArray insideAnchors) {
    Entry e = handedOut(imageIndex, insideFlags);
    if (e == null || e.anchors != insideAnchors) {
      return ATSSAssigner.prepare(insideAnchors, AnchorUtils.numLevelInside(numLevelAnchors, insideFlags));
    }
    return e.priors(numLevelAnchors);
  }

  /** The image's entry if it holds these very flags (a hook's own flags get no kept arrays). */
  private Entry handedOut(int imageIndex, boolean[] insideFlags) {
    Entry e = last.get(imageIndex);
    return e != null && e.flags == insideFlags ? e : null;
  }
}
