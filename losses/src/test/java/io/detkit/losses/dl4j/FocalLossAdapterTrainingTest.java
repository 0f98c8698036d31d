package io.detkit.losses.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;

/**
 * A DL4J network trained with the FocalLoss adapter on an imbalanced toy problem (2-D points, 5%
 * rare class overlapping the common one) learns the rare class better than the same network with
 * plain binary cross-entropy.
 */
class FocalLossAdapterTrainingTest {
  private static final int N = 1000;
  private static final int ITERATIONS = 120;

  private record Data(INDArray features, INDArray labels, boolean[] rare) {}

  private static Data data(long seed) {
    Random r = new Random(seed);
    float[] x = new float[N * 2];
    float[] y = new float[N];
    boolean[] rare = new boolean[N];
    for (int i = 0; i < N; i++) {
      rare[i] = i % 20 == 0;
      double cx = rare[i] ? 1.2 : 0.0;
      double sd = rare[i] ? 0.7 : 1.0;
      x[2 * i] = (float) (cx + sd * r.nextGaussian());
      x[2 * i + 1] = (float) (cx + sd * r.nextGaussian());
      y[i] = rare[i] ? 1f : 0f;
    }
    return new Data(Nd4j.createFromArray(x).reshape(N, 2), Nd4j.createFromArray(y).reshape(N, 1), rare);
  }

  private static MultiLayerNetwork network(ILossFunction loss, Activation outputActivation) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
        .weightInit(WeightInit.XAVIER).updater(new Adam(0.02)).list()
        .layer(new DenseLayer.Builder().nIn(2).nOut(16).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder().lossFunction(loss).activation(outputActivation).nIn(16).nOut(1).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Recall of the rare class at probability 0.5. */
  private static double rareRecall(MultiLayerNetwork net, Data d, boolean logits) {
    INDArray out = net.output(d.features());
    int found = 0;
    int total = 0;
    for (int i = 0; i < N; i++) {
      if (!d.rare()[i]) {
        continue;
      }
      total++;
      double v = out.getDouble(i, 0);
      double p = logits ? 1 / (1 + Math.exp(-v)) : v;
      if (p >= 0.5) {
        found++;
      }
    }
    return (double) found / total;
  }

  @Test
  void focalLossLearnsTheRareClassBetterThanBinaryCrossEntropy() {
    // Tiny matrices: one native thread avoids OpenMP hand-offs that dominate on a busy machine.
    int threads = Nd4j.getEnvironment().maxThreads();
    int masterThreads = Nd4j.getEnvironment().maxMasterThreads();
    Nd4j.getEnvironment().setMaxThreads(1);
    Nd4j.getEnvironment().setMaxMasterThreads(1);
    try {
      trainAndCompare();
    } finally {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(masterThreads);
    }
  }

  private static void trainAndCompare() {
    Nd4j.getRandom().setSeed(7);
    Data train = data(1);
    Data test = data(2);
    DataSet ds = new DataSet(train.features(), train.labels());

    // alpha weights the positive (rare) class in MMDetection's convention.
    MultiLayerNetwork focal = network(DetkitLossFunction.focal(2.0, 0.75), Activation.IDENTITY);
    focal.setInput(train.features());
    focal.setLabels(train.labels());
    focal.computeGradientAndScore();
    double before = focal.score();
    for (int i = 0; i < ITERATIONS; i++) {
      focal.fit(ds);
    }
    focal.setInput(train.features());
    focal.setLabels(train.labels());
    focal.computeGradientAndScore();
    double after = focal.score();

    MultiLayerNetwork bce = network(new LossBinaryXENT(), Activation.SIGMOID);
    for (int i = 0; i < ITERATIONS; i++) {
      bce.fit(ds);
    }

    double focalRecall = rareRecall(focal, test, true);
    double bceRecall = rareRecall(bce, test, false);
    assertThat(after).as("focal loss falls during training").isLessThan(0.5 * before);
    assertThat(focalRecall).as("rare-class recall: focal %.3f vs BCE %.3f", focalRecall, bceRecall)
        .isGreaterThan(bceRecall + 0.15);
  }
}
