package io.detkit.heads;

import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.ATSSPriors;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 */
final class InsideAnchorCache {
  /**
   * One image's inside anchors for one {@code img_shape} and {@code allowed_border}; what only some
   * heads read (the zeroed anchors, ATSS's prepared priors) is made on first use, under the entry's
   * lock.
   */
  private static final class Entry {
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
   * The inside anchors of {@code in}'s image ({@link AnchorUtils#insideFlags} with
   * {@code allowedBorder}), computed on the first call for its {@code img_shape} and border.
   */
  InsideAnchors inside(SingleImageInput in, int allowedBorder) {
    Entry e = entry(in, allowedBorder);
    return new InsideAnchors(in, e.flags, e.indices, e.anchors);
  }

  /**
   * {@link AnchorUtils#zeroOutside} of the image's anchors under {@code insideFlags}: the kept array
   * when the flags are the ones this cache handed out for the image, else a new one.
   */
  double[] zeroedOutside(SingleImageInput in, boolean[] insideFlags) {
    Entry e = handedOut(in, insideFlags);
    return e == null ? AnchorUtils.zeroOutside(in.flatAnchorsNoCopy(), insideFlags)
        : e.zeroedOutside(in.flatAnchorsNoCopy());
  }

  /**
   * The inside anchors of {@code ia} prepared for ATSS assignments with each level's inside count
   * ({@link ATSSAssigner#prepare}): kept when they are the ones this cache handed out, else new.
   */
  ATSSPriors atssPriors(InsideAnchors ia) {
    SingleImageInput in = ia.image();
    Entry e = handedOut(in, ia.insideNoCopy());
    return e == null ? ATSSAssigner.prepare(ia.anchors(), ia.numLevelInside()) : e.priors(in.numLevelAnchors());
  }

  /** The image's entry if it holds these very flags (a hook's own flags get no kept arrays). */
  private Entry handedOut(SingleImageInput in, boolean[] insideFlags) {
    Entry e = last.get(in.imageIndex());
    return e != null && e.flags == insideFlags ? e : null;
  }

  private Entry entry(SingleImageInput in, int allowedBorder) {
    Entry e = last.get(in.imageIndex());
    if (e != null && e.matches(in.meta(), allowedBorder)) {
      return e;
    }
    boolean[] flags = AnchorUtils.insideFlags(in.flatAnchorsNoCopy(), in.validFlagsNoCopy(), in.meta(), allowedBorder);
    INDArray anchors;
    // Outside any workspace: the array outlives the step (and the scope) that made it.
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      anchors = in.anchorsWhere(flags);
    }
    anchors.setCloseable(false);
    e = new Entry(in.meta(), allowedBorder, flags, anchors);
    last.set(in.imageIndex(), e);
    return e;
  }
}
