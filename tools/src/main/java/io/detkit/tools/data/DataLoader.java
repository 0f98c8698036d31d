package io.detkit.tools.data;

import static com.google.common.base.Preconditions.checkArgument;

import io.detkit.heads.GroundTruth;
import io.detkit.heads.ImageMeta;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches a dataset through its pipeline: per epoch a permutation (when shuffling) drawn from the
 * seed and the epoch, samples transformed with a generator derived from (seed, epoch, index), so
 * an epoch's batches are the same for any thread timing. The last partial batch is kept. One
 * background thread prepares the next batches while the caller trains.
 *
 * <p>Images are padded to the largest height and width in the batch, rounded up to
 * {@code sizeDivisor}. Not thread-safe; close it to stop the background thread.
 */
public final class DataLoader implements AutoCloseable {
  private final DetectionDataset dataset;
  private final Pipeline pipeline;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final int sizeDivisor;
  private final ExecutorService worker;

  /**
   * @throws IllegalArgumentException if {@code batchSize} or {@code sizeDivisor} is not positive
   */
  public DataLoader(DetectionDataset dataset, Pipeline pipeline, int batchSize, boolean shuffle, long seed,
      int sizeDivisor) {
    checkArgument(batchSize > 0, "samples_per_gpu must be > 0; got %s", batchSize);
    checkArgument(sizeDivisor > 0, "sizeDivisor must be > 0; got %s", sizeDivisor);
    this.dataset = dataset;
    this.pipeline = pipeline;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.sizeDivisor = sizeDivisor;
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "detkit-data");
      t.setDaemon(true);
      return t;
    });
  }

  /** Batches per epoch. */
  public int batchesPerEpoch() {
    return (dataset.size() + batchSize - 1) / batchSize;
  }

  /** The dataset. */
  public DetectionDataset dataset() {
    return dataset;
  }

  /** The order of the images in {@code epoch}. */
  int[] order(int epoch) {
    int n = dataset.size();
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    if (shuffle) {
      SplittableRandom r = new SplittableRandom(seed * 1_000_003L + epoch);
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
    }
    return idx;
  }

  /** One sample of {@code epoch}, transformed. */
  public DetectionSample sample(int index, int epoch) {
    SplittableRandom r = new SplittableRandom((seed * 31 + epoch) * 0x9E3779B97F4A7C15L + index);
    return pipeline.apply(dataset.load(index), r);
  }

  /** The batches of {@code epoch} in order, prepared one ahead on the background thread. */
  public Iterator<Batch> epoch(int epoch) {
    int[] order = order(epoch);
    int batches = batchesPerEpoch();
    BlockingQueue<Future<Batch>> queue = new ArrayBlockingQueue<>(batches + 1);
    return new Iterator<>() {
      private int submitted;
      private int taken;

      private void fill() {
        while (submitted < batches && submitted - taken < 2) {
          int b = submitted++;
          queue.add(worker.submit(() -> collate(order, b * batchSize, Math.min(order.length, (b + 1) * batchSize),
              epoch)));
        }
      }

      @Override
      public boolean hasNext() {
        return taken < batches;
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        fill();
        Future<Batch> f = queue.poll();
        taken++;
        fill();
        try {
          return f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while loading data", e);
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    };
  }

  private Batch collate(int[] order, int from, int to, int epoch) {
    List<DetectionSample> samples = new ArrayList<>();
    for (int i = from; i < to; i++) {
      samples.add(sample(order[i], epoch));
    }
    return collate(samples, sizeDivisor);
  }

  /** Stacks samples into a batch, padding to a common size that is a multiple of {@code sizeDivisor}. */
  public static Batch collate(List<DetectionSample> samples, int sizeDivisor) {
    int h = 0;
    int w = 0;
    for (DetectionSample s : samples) {
      h = Math.max(h, s.padShape()[0]);
      w = Math.max(w, s.padShape()[1]);
    }
    h = (h + sizeDivisor - 1) / sizeDivisor * sizeDivisor;
    w = (w + sizeDivisor - 1) / sizeDivisor * sizeDivisor;
    INDArray images = stack(samples, h, w);
    List<GroundTruth> gts = new ArrayList<>();
    List<ImageMeta> metas = new ArrayList<>();
    for (DetectionSample s : samples) {
      gts.add(s.groundTruth());
      metas.add(s.meta());
    }
    return new Batch(images, List.copyOf(gts), List.copyOf(metas), List.copyOf(samples));
  }

  /**
   * The samples' images in one new {@code [N, 3, h, w]} FLOAT array, each written straight into
   * the array's buffer at the top left of its slot (no intermediate padded copies); the rest is 0.
   */
  private static INDArray stack(List<DetectionSample> samples, int h, int w) {
    boolean padded = false;
    for (DetectionSample s : samples) {
      padded |= s.padShape()[0] != h || s.padShape()[1] != w;
    }
    long[] shape = {samples.size(), 3, h, w};
    if (samples.isEmpty()) {
      return Nd4j.create(DataType.FLOAT, shape);
    }
    INDArray images = padded ? Nd4j.create(DataType.FLOAT, shape) : Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    FloatBuffer buf = images.data().asNioFloat();
    int slot = 3 * h * w;
    for (int n = 0; n < samples.size(); n++) {
      DetectionSample s = samples.get(n);
      int sh = s.padShape()[0];
      int sw = s.padShape()[1];
      if (sh == h && sw == w) {
        buf.put(n * slot, s.image());
        continue;
      }
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < sh; y++) {
          buf.put(n * slot + (c * h + y) * w, s.image(), (c * sh + y) * sw, sw);
        }
      }
    }
    // The NIO view does not keep the off-heap buffer alive on its own.
    Reference.reachabilityFence(images);
    return images;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
