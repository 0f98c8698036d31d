package io.detkit.tools.train;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fingerprint of the native kernels a training's bits depend on: a SHA-256 over the float bits of
 * a few fixed convolutions (forward and both gradients, through oneDNN, whose kernels follow the
 * CPU's instruction set) and a matrix product (the BLAS, whose kernels follow the CPU's core type),
 * on inputs drawn from a fixed Java generator. Two machines with the same fingerprint run the same
 * kernels on the shapes detector's layers; a training pinned bit for bit on one is pinned on the
 * other. (On this project's AVX2 machines without AVX-512 the first training iteration's
 * classification loss already differed from the earlier machines' in its seventh digit.)
 */
final class PlatformProbe {
  private PlatformProbe() {}

  /** The fingerprint: the first 16 hex digits of the SHA-256. */
  static String fingerprint() {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    SplittableRandom rng = new SplittableRandom(20261207L);
    // The stem's shape (3 -> 16, stride 2, with bias) and a head tower's (32 -> 32 on 8 x 8, without).
    convolution(sha, rng, new int[] {2, 3, 16, 16}, 16, 2, true);
    convolution(sha, rng, new int[] {2, 32, 8, 8}, 32, 1, false);
    INDArray a = random(rng, 64, 48);
    INDArray b = random(rng, 48, 40);
    digest(sha, a.mmul(b));
    return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
  }

  private static void convolution(MessageDigest sha, SplittableRandom rng, int[] in, int out, int stride, boolean bias) {
    INDArray x = random(rng, in);
    INDArray w = random(rng, out, in[1], 3, 3);
    INDArray b = bias ? random(rng, out) : null;
    int oh = (in[2] + 2 - 3) / stride + 1;
    int ow = (in[3] + 2 - 3) / stride + 1;
    int[] args = {3, 3, stride, stride, 1, 1, 1, 1, 0, 0, 1};
    INDArray z = Nd4j.create(DataType.FLOAT, in[0], out, oh, ow);
    Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(bias ? new INDArray[] {x, w, b} : new INDArray[] {x, w})
        .addOutputs(z).addIntegerArguments(args).build());
    digest(sha, z);
    INDArray dz = random(rng, in[0], out, oh, ow);
    INDArray dx = Nd4j.create(DataType.FLOAT, in[0], in[1], in[2], in[3]);
    INDArray dw = Nd4j.create(DataType.FLOAT, out, in[1], 3, 3);
    DynamicCustomOp.DynamicCustomOpsBuilder bp = DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(args);
    if (bias) {
      INDArray db = Nd4j.create(DataType.FLOAT, out);
      Nd4j.exec(bp.addInputs(x, w, b, dz).addOutputs(dx, dw, db).build());
      digest(sha, db);
    } else {
      Nd4j.exec(bp.addInputs(x, w, dz).addOutputs(dx, dw).build());
    }
    digest(sha, dx);
    digest(sha, dw);
  }

  private static INDArray random(SplittableRandom rng, int... shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return Nd4j.create(v, shape, 'c');
  }

  private static void digest(MessageDigest sha, INDArray a) {
    float[] v = a.dup('c').data().asFloat();
    ByteBuffer bytes = ByteBuffer.allocate(4 * v.length);
    for (float f : v) {
      bytes.putFloat(f);
    }
    sha.update(bytes.array());
  }
}
