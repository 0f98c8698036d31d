package io.detkit.heads;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each image's inside anchors of one {@link MultiLevelAnchors}, kept from step to step: the flags,
 * their indices, the inside anchors as an array, and the anchors zeroed outside that ATSS and GFL
 * attach to their targets. They depend only on the anchors, the image's valid flags (both fixed in
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
  /** One image's inside anchors for one {@code img_shape} and {@code allowed_border}. */
  private record Entry(int imgHeight, int imgWidth, int allowedBorder, boolean[] flags, int[] indices,
      INDArray anchors, double[][] zeroedOutside) {
    boolean matches(ImageMeta meta, int border) {
      return imgHeight == meta.imgHeight() && imgWidth == meta.imgWidth() && allowedBorder == border;
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
    return new InsideAnchors(in, e.flags(), e.indices(), e.anchors());
  }

  /**
   * {@link AnchorUtils#zeroOutside} of the image's anchors under {@code insideFlags}: the kept array
   * when the flags are the ones this cache handed out for the image, else a new one.
   */
  double[] zeroedOutside(SingleImageInput in, boolean[] insideFlags) {
    Entry e = last.get(in.imageIndex());
    if (e == null || e.flags() != insideFlags) {
      return AnchorUtils.zeroOutside(in.flatAnchorsNoCopy(), insideFlags);
    }
    // Made on first use (heads that attach no anchors never pay for it); a race makes it twice, equal.
    synchronized (e) {
      if (e.zeroedOutside()[0] == null) {
        e.zeroedOutside()[0] = AnchorUtils.zeroOutside(in.flatAnchorsNoCopy(), insideFlags);
      }
      return e.zeroedOutside()[0];
    }
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
    e = new Entry(in.meta().imgHeight(), in.meta().imgWidth(), allowedBorder, flags, AnchorUtils.indicesOf(flags),
        anchors, new double[1][]);
    last.set(in.imageIndex(), e);
    return e;
  }
}
