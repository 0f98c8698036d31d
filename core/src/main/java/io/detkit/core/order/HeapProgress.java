package io.detkit.core.order;

/**
 * The state of {@link TorchTopk}'s value-by-value heap path and its checks: whether a heap is in
 * progress, its {@code k}, and the last position that entered it. Apart from the selection
 * algorithms because it is the protocol's bookkeeping ({@code beginHeap}, {@code offer} in
 * increasing position order, {@code finishHeap}), not the replay of libstdc++; it is consulted only
 * off the per-value path (when a value enters the heap, and at the protocol's calls), so a rejected
 * value costs no call here. Not thread-safe, as its {@code TorchTopk}.
 */
final class HeapProgress {
  /** k of the heap path in progress; 0 when none is. */
  private int size;
  /**
   * The position the heap last accepted ({@code k - 1} right after {@link #begin});
   * {@link Integer#MAX_VALUE} while no heap is in progress, so that one comparison on the entering
   * branch catches both an offer out of order and one without a heap.
   */
  private int lastAccepted = Integer.MAX_VALUE;

  /** A heap of {@code k >= 1} values (positions {@code 0..k-1}) is in progress from here. */
  void begin(int k) {
    size = k;
    lastAccepted = k - 1;
  }

  /** No heap in progress from here: the state every heap call but {@code beginHeap} refuses. */
  void end() {
    size = 0;
    lastAccepted = Integer.MAX_VALUE;
  }

  /** k of the heap in progress. */
  int size() {
    return size;
  }

  /**
   * Records that the value at {@code position} enters the heap.
   *
   * @throws IllegalArgumentException if {@code position} is not past the last position that entered
   *     (nor past {@code k - 1})
   * @throws IllegalStateException if no heap is in progress
   */
  void enter(int position) {
    if (position <= lastAccepted) {
      require("offer");
      throw new IllegalArgumentException("position must increase past " + lastAccepted
          + " (the heap holds positions 0.." + (size - 1) + "; offers come in increasing position order); got " + position);
    }
    lastAccepted = position;
  }

  /**
   * @throws IllegalStateException naming {@code call} if no heap is in progress
   */
  void require(String call) {
    if (size == 0) {
      throw new IllegalStateException(
          call + " needs a heap in progress: call beginHeap first (each finishHeap ends one)");
    }
  }
}
