package io.detkit.tools.train;

import io.detkit.tools.data.DataException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained model on disk, like MMDetection's checkpoint: a zip holding {@code config.py} (the
 * merged config it was trained with), {@code params.bin} (the flattened float32 parameters:
 * an int count, then big-endian floats) and {@code meta.json}.
 */
public record Checkpoint(String config, float[] params, String metaJson) {
  private static final int MAX_PARAMS = 500_000_000;

  /** Writes atomically (a temporary file renamed over {@code file}). */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry("config.py"));
      zip.write(config.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("params.bin"));
      DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(zip));
      out.writeInt(params.length);
      for (float v : params) {
        out.writeFloat(v);
      }
      out.flush();
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("meta.json"));
      zip.write(metaJson.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a checkpoint.
   *
   * @throws DataException if the file is missing, not a checkpoint, or truncated
   */
  public static Checkpoint read(Path file) {
    String config = null;
    float[] params = null;
    String meta = "{}";
    try (InputStream is = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(is)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        switch (e.getName()) {
          case "config.py" -> config = new String(readAll(zip), StandardCharsets.UTF_8);
          case "meta.json" -> meta = new String(readAll(zip), StandardCharsets.UTF_8);
          case "params.bin" -> {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(zip));
            int n = in.readInt();
            if (n < 0 || n > MAX_PARAMS) {
              throw new DataException("checkpoint " + file + " declares " + n + " parameters");
            }
            params = new float[n];
            for (int i = 0; i < n; i++) {
              params[i] = in.readFloat();
            }
          }
          default -> { }
        }
      }
    } catch (NoSuchFileException ex) {
      throw new DataException("checkpoint not found: " + file, ex);
    } catch (java.io.EOFException ex) {
      throw new DataException("checkpoint " + file + " is truncated", ex);
    } catch (IOException ex) {
      throw new DataException("cannot read checkpoint " + file + ": " + ex.getMessage(), ex);
    }
    if (params == null || config == null) {
      throw new DataException("not a detkit checkpoint (no params.bin/config.py inside): " + file);
    }
    return new Checkpoint(config, params, meta);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  /** The parameters as a {@code [1, n]} float32 array. */
  public INDArray paramArray() {
    return Nd4j.createFromArray(params).castTo(DataType.FLOAT).reshape(1, params.length);
  }
}
