package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.AssignResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ReproducibilityTest {
  private static final int[] G = Fixtures.gtInds(3, 150, 400, 30);
  private static AssignResult assign;
  private static INDArray boxes;
  private static INDArray gts;
  private static INDArray labels;
  private static ExecutorService pool;

  @BeforeAll
  static void setUp() {
    assign = overlapsSpread(Fixtures.assign(3, G));
    boxes = Fixtures.boxes(G.length);
    gts = Fixtures.gts(3);
    labels = Fixtures.labels(3);
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Negatives with a range of overlaps, so that the IoU-balanced sampler has bins to fill. */
  private static AssignResult overlapsSpread(AssignResult a) {
    double[] ov = a.maxOverlaps();
    for (int i = 0; i < ov.length; i++) {
      if (a.gtInd(i) == 0) {
        ov[i] = (i % 7) / 10.0;
      }
    }
    return new AssignResult(a.numGts(), a.gtInds(), ov, a.labels());
  }

  private static List<BaseSampler> samplers() {
    return List.of(
        RandomSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(11)).build(),
        IoUBalancedNegSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(11)).build(),
        InstanceBalancedPosSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(11)).build(),
        CombinedSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(11))
            .params(new CombinedSampler.Params(InstanceBalancedPosSampler.TYPE.builder(128, 0.25).build(),
                IoUBalancedNegSampler.TYPE.builder(128, 0.25).build())).build());
  }

  @Test
  void sameGeneratorStateGivesSameSamples() {
    for (BaseSampler s : samplers()) {
      SamplingResult a = s.sample(assign, boxes, gts, labels, new SplittableRandom(99));
      SamplingResult b = s.sample(assign, boxes, gts, labels, new SplittableRandom(99));
      SamplingResult c = s.sample(assign, boxes, gts, labels, new SplittableRandom(100));
      assertThat(a).as(s.toString()).isEqualTo(b);
      assertThat(a.negInds().toArray()).as(s.toString()).isNotEqualTo(c.negInds().toArray());
    }
  }

  @Test
  void sameSeedGivesSameSequenceOfSamples() {
    RandomSampler first = RandomSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(5)).build();
    RandomSampler second = RandomSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(5)).build();
    RandomSampler other = RandomSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(6)).build();
    Set<List<Integer>> distinct = new HashSet<>();
    for (int call = 0; call < 5; call++) {
      SamplingResult a = first.sample(assign, boxes, gts, labels);
      SamplingResult b = second.sample(assign, boxes, gts, labels);
      SamplingResult c = other.sample(assign, boxes, gts, labels);
      assertThat(a).isEqualTo(b);
      assertThat(a.negInds().toArray()).isNotEqualTo(c.negInds().toArray());
      distinct.add(boxed(a.negInds().toArray()));
    }
    // Calls on one instance draw from different generators, so repeated inputs are not resampled alike.
    assertThat(distinct).hasSize(5);
  }

  @Test
  void convenienceCallReplaysWithRandomFor() {
    RandomSampler s = RandomSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(77)).build();
    List<SamplingResult> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(s.sample(assign, boxes, gts, labels));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(s.sample(assign, boxes, gts, labels, SamplerRandom.randomFor(77, i))).isEqualTo(calls.get(i));
    }
  }

  @Test
  void eightThreadsWithTheirOwnGeneratorsGiveTheSerialResults() throws Exception {
    for (BaseSampler s : samplers()) {
      int tasks = 64;
      List<SamplingResult> serial = new ArrayList<>();
      for (int t = 0; t < tasks; t++) {
        serial.add(s.sample(assign, boxes, gts, labels, new SplittableRandom(t)));
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Future<SamplingResult>> futures = new ArrayList<>();
      for (int t = 0; t < tasks; t++) {
        long seed = t;
        futures.add(pool.submit(() -> {
          start.await();
          return s.sample(assign, boxes, gts, labels, new SplittableRandom(seed));
        }));
      }
      start.countDown();
      for (int t = 0; t < tasks; t++) {
        assertThat(futures.get(t).get(60, TimeUnit.SECONDS)).as(s + " task " + t).isEqualTo(serial.get(t));
      }
    }
  }

  @Test
  void concurrentConvenienceCallsUseEachGeneratorOnce() throws Exception {
    int calls = 48;
    RandomSampler s = RandomSampler.TYPE.builder(128, 0.25).options(o -> o.withSeed(3)).build();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<SamplingResult>> futures = new ArrayList<>();
    for (int t = 0; t < calls; t++) {
      futures.add(pool.submit(() -> {
        start.await();
        return s.sample(assign, boxes, gts, labels);
      }));
    }
    start.countDown();
    Set<List<Integer>> concurrent = new HashSet<>();
    for (Future<SamplingResult> f : futures) {
      concurrent.add(boxed(f.get(60, TimeUnit.SECONDS).negInds().toArray()));
    }
    Set<List<Integer>> expected = new HashSet<>();
    for (int c = 0; c < calls; c++) {
      expected.add(boxed(s.sample(assign, boxes, gts, labels, SamplerRandom.randomFor(3, c)).negInds().toArray()));
    }
    assertThat(concurrent).hasSize(calls).isEqualTo(expected);
  }

  private static List<Integer> boxed(int[] a) {
    List<Integer> out = new ArrayList<>();
    for (int v : a) {
      out.add(v);
    }
    return out;
  }
}
