package io.detkit.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes little-endian {@code .npy} files (format 1.0), which {@code numpy.load} and so the
 * PyTorch benchmark read.
 *
 * <p>Throws {@link IllegalArgumentException} when the data does not fill the shape, {@link
 * IOException} when the file cannot be written.
 */
final class NpyWriter {
  private NpyWriter() {}

  static void write(Path file, float[] data, int... shape) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    write(file, "<f4", b.array(), data.length, shape);
  }

  static void write(Path file, int[] data, int... shape) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : data) {
      b.putLong(v);
    }
    write(file, "<i8", b.array(), data.length, shape);
  }

  private static void write(Path file, String descr, byte[] body, int n, int[] shape) throws IOException {
    long expected = 1;
    for (int d : shape) {
      expected *= d;
    }
    if (expected != n) {
      throw new IllegalArgumentException("data of length " + n + " does not fill shape " + Arrays.toString(shape));
    }
    String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims
        + (shape.length == 1 ? "," : "") + "), }";
    // The magic, version and length take 10 bytes; the header is space-padded so data starts on a
    // 64-byte boundary, ending in a newline.
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    String padded = header + " ".repeat(pad) + "\n";
    byte[] h = padded.getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      out.write(h.length & 0xff);
      out.write((h.length >> 8) & 0xff);
      out.write(h);
      out.write(body);
    }
  }
}
