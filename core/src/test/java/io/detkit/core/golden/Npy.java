package io.detkit.core.golden;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A NumPy {@code .npy} array read into memory: little-endian float32, float64, int64, int32 or
 * bool, C order. Values are kept as doubles (exact for every int64 the golden set uses).
 */
public record Npy(String descr, long[] shape, double[] data) {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** Reads an array from a stream positioned at the magic string. */
  public static Npy read(InputStream in, String name) throws IOException {
    byte[] all = in.readAllBytes();
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    if (all.length < 10 || (all[0] & 0xff) != 0x93 || all[1] != 'N') {
      throw new IOException(name + ": not an .npy file");
    }
    int major = all[6];
    int headerLen;
    int offset;
    if (major == 1) {
      headerLen = buf.getShort(8) & 0xffff;
      offset = 10;
    } else {
      headerLen = buf.getInt(8);
      offset = 12;
    }
    String header = new String(all, offset, headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(name + ": unreadable .npy header " + header);
    }
    if (f.group(1).equals("True")) {
      throw new IOException(name + ": Fortran-order arrays are not supported");
    }
    long[] shape = Arrays.stream(s.group(1).split(","))
        .map(String::trim).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
    long n = 1;
    for (long dim : shape) {
      n *= dim;
    }
    String descr = d.group(1);
    double[] data = new double[Math.toIntExact(n)];
    int pos = offset + headerLen;
    for (int i = 0; i < data.length; i++) {
      switch (descr) {
        case "<f4" -> { data[i] = buf.getFloat(pos); pos += 4; }
        case "<f8" -> { data[i] = buf.getDouble(pos); pos += 8; }
        case "<i8" -> { data[i] = buf.getLong(pos); pos += 8; }
        case "<i4" -> { data[i] = buf.getInt(pos); pos += 4; }
        case "|b1", "|u1" -> { data[i] = all[pos] & 0xff; pos += 1; }
        default -> throw new IOException(name + ": unsupported dtype " + descr);
      }
    }
    return new Npy(descr, shape, data);
  }

  /** Whether the stored dtype is an integer or bool type. */
  public boolean isIntegral() {
    return descr.contains("i") || descr.contains("b") || descr.contains("u");
  }

  /** The values as an ND4J array of {@code type} with the stored shape (empty shapes kept). */
  public INDArray toArray(DataType type) {
    return create(type, shape, data);
  }

  /** An ND4J array of {@code type} and {@code shape} holding {@code data} (C order). */
  public static INDArray create(DataType type, long[] shape, double[] data) {
    if (data.length == 0) {
      return Nd4j.create(type, shape);
    }
    INDArray flat = Nd4j.createFromArray(data);
    INDArray cast = flat.castTo(type);
    return shape.length == 0 ? cast.reshape() : cast.reshape('c', shape);
  }

  /** The values as ints (for label and index arrays). */
  public int[] toIntArray() {
    int[] out = new int[data.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) data[i];
    }
    return out;
  }
}
