package io.detkit.tools.model;

import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many of libnd4j's OpenMP threads one native convolution gets: the whole pool
 * ({@code OMP_NUM_THREADS}) for a call of at least {@link #minWork()} multiply-adds, one thread for
 * a smaller one.
 *
 * <p>Why: every libnd4j/oneDNN call with more than one OpenMP thread is a parallel region, and on
 * two cores each region is a hand-off to the partner thread (a futex wake-up under
 * {@code OMP_WAIT_POLICY=PASSIVE}, a spin otherwise). The convolutions of the shipped detectors
 * work on 8 x 8 to 32 x 32 maps, where the hand-offs cost more than the second thread gains: a
 * tower {@code conv2d_bp} on 8 x 8 maps took 0.4-0.6 ms on one thread and 3.5 ms on two on a busy
 * machine (docs/performance.md, "Two libnd4j threads, per call"). Only calls large enough to keep
 * both threads busy get them.
 *
 * <p>The mechanism is OpenMP's per-thread {@code omp_set_num_threads} (libnd4j's
 * {@code setOmpNumThreads}; oneDNN reads it per call): it changes the calling thread's next
 * parallel regions only, so the loader thread and any other caller keep their own settings.
 * After a call on the pool the calling thread is set back to one thread, so every later libnd4j
 * call of that thread (the graph's element-wise operations, the updater) also runs on one OpenMP
 * thread unless it is a large convolution. With a pool of one thread (the {@code detkit}
 * wrapper's default) nothing is changed and no native call is added.
 *
 * <p>{@code -Ddetkit.ompMinWork=N} sets the threshold (multiply-adds); {@code 0} gives every call
 * the whole pool and never touches the thread's setting (the behaviour before this class). The
 * thread count can change a convolution's float rounding (oneDNN splits its reductions by
 * thread), so, as with {@code OMP_NUM_THREADS} itself, results are reproducible for one setting.
 */
public final class OpenMpThreads {
  /**
   * Default threshold, multiply-adds: above every convolution of the shipped 64 x 64 detectors
   * (their largest, the backbone's first stage, is about 19 million at batch 16), below a
   * 32-channel 3 x 3 convolution on 16 x 32 x 32 x 32 (151 million), which ran in 9-12 ms on two
   * threads against 18-24 ms on one on a busy machine.
   */
  public static final long DEFAULT_MIN_WORK = 64_000_000L;

  /** libnd4j's OpenMP pool as set at start ({@code OMP_NUM_THREADS}). */
  private static final int POOL = Math.max(1, Nd4j.getEnvironment().maxThreads());
  /** Per thread: whether this class has left it on one OpenMP thread (it starts on the pool). */
  private static final ThreadLocal<boolean[]> ON_ONE = ThreadLocal.withInitial(() -> new boolean[1]);
  private static volatile long minWork = SystemSettings.longAtLeast("detkit.ompMinWork", DEFAULT_MIN_WORK, 0);

  private OpenMpThreads() {}

  /** The threshold in multiply-adds ({@code 0}: every call on the whole pool). */
  public static long minWork() {
    return minWork;
  }

  /**
   * Sets the threshold (tests, benchmarks); returns the previous one.
   *
   * @throws IllegalArgumentException for a negative threshold
   */
  public static long setMinWork(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("detkit.ompMinWork must be >= 0 multiply-adds; got " + n);
    }
    long old = minWork;
    minWork = n;
    return old;
  }

  /** libnd4j's OpenMP pool size ({@code OMP_NUM_THREADS} at start). */
  public static int pool() {
    return POOL;
  }

  /** The OpenMP threads a call of {@code work} multiply-adds gets with this pool and threshold. */
  public static int threadsFor(long work) {
    return threadsFor(work, POOL, minWork);
  }

  /** The rule: the whole pool from {@code minWork} multiply-adds on (or always, for {@code minWork = 0}), else one. */
  static int threadsFor(long work, int pool, long minWork) {
    return minWork == 0 || work >= minWork ? pool : 1;
  }

  /**
   * Executes {@code op} (a convolution of {@code work} multiply-adds) on the calling thread with
   * {@link #threadsFor} OpenMP threads, leaving the thread on one OpenMP thread afterwards (see the
   * class comment). A thread already on one thread that gets one is not set again: the native call
   * was one per convolution, each direction, for nothing.
   */
  static void exec(CustomOp op, long work) {
    if (POOL == 1 || minWork == 0) {
      Nd4j.exec(op);
      return;
    }
    NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
    int n = threadsFor(work);
    boolean[] atOne = ON_ONE.get();
    if (needsSetting(n, atOne[0])) {
      ops.setOmpNumThreads(n);
    }
    try {
      Nd4j.exec(op);
    } finally {
      if (n != 1) {
        ops.setOmpNumThreads(1);
      }
      atOne[0] = true;
    }
  }

  /**
   * Whether a call on {@code n} threads must set the thread's OpenMP count first: unless it is one
   * and the thread is known to be on one ({@code atOne}: set so by an earlier call of this class;
   * a thread starts on the whole pool).
   */
  static boolean needsSetting(int n, boolean atOne) {
    return n != 1 || !atOne;
  }
}
