package io.detkit.tools.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A detection dataset in COCO format: an annotation JSON ({@code images}, {@code annotations},
 * {@code categories}) and a folder of images read with ImageIO (PNG, JPEG, BMP, GIF).
 *
 * <p>As in MMDetection 2.x: labels follow the categories sorted by id (or the order of
 * {@code classes}, when given, keeping only those categories); an annotation box
 * {@code [x, y, w, h]} becomes {@code (x, y, x + w, y + h)}; boxes with {@code w < 1},
 * {@code h < 1} or non-positive area are skipped; {@code iscrowd} boxes become ignore regions;
 * with {@code filter_empty_gt} images without a usable box are dropped.
 *
 * <p>Safety: an image's {@code file_name} must stay inside the image folder (no absolute paths, no
 * {@code ..} escaping it, no symbolic link leading out of it), and an image with more than
 * {@code maxPixels} pixels, by its header before decoding, is rejected. Both raise
 * {@link DataException} naming the file. Immutable after construction; {@link #load} may be
 * called from several threads.
 */
public final class CocoDataset extends CustomDataset {
  /** Default pixel limit per image: 4096 x 4096. */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

  private record Entry(String fileName, float[] boxes, int[] labels, float[] ignore) {}

  /** What the annotation file gives: the real image folder, the class names in label order, the images. */
  private record Annotations(Path imageRoot, List<String> classes, List<Entry> entries) {}

  private final Path imageRoot;
  private final List<Entry> entries;
  private final long maxPixels;

  /**
   * Reads the annotation file.
   *
   * @param annFile the COCO annotation JSON
   * @param imageRoot the folder that {@code file_name}s are relative to
   * @param classes class names to keep, in label order, or null for every category sorted by id
   * @param filterEmptyGt drop images without a usable box (training)
   * @param maxPixels the largest image accepted, in pixels
   * @throws DataException if the file is missing or malformed, a class is not among the
   *     categories, or a file name escapes {@code imageRoot}
   */
  public CocoDataset(Path annFile, Path imageRoot, List<String> classes, boolean filterEmptyGt, long maxPixels) {
    this(readAnnotations(annFile, imageRoot, classes, filterEmptyGt, maxPixels), maxPixels);
  }

  private CocoDataset(Annotations a, long maxPixels) {
    super(a.entries().size(), a.classes());
    this.imageRoot = a.imageRoot();
    this.entries = a.entries();
    this.maxPixels = maxPixels;
  }

  private static Annotations readAnnotations(Path annFile, Path imageFolder, List<String> classes,
      boolean filterEmptyGt, long maxPixels) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("max_pixels must be > 0; got " + maxPixels);
    }
    if (!Files.isDirectory(imageFolder)) {
      throw new DataException("image folder not found: " + imageFolder);
    }
    Path imageRoot;
    try {
      imageRoot = imageFolder.toRealPath();
    } catch (IOException e) {
      throw new DataException("cannot open image folder " + imageFolder + ": " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(annFile.toFile());
    } catch (java.io.FileNotFoundException e) {
      throw new DataException("annotation file not found: " + annFile, e);
    } catch (IOException e) {
      throw new DataException("cannot read annotation file " + annFile + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new DataException("annotation file " + annFile + " must hold a JSON object with images, annotations"
          + " and categories");
    }
    JsonNode cats = array(root, "categories", annFile);
    TreeMap<Long, String> byId = new TreeMap<>();
    for (JsonNode c : cats) {
      byId.put(longField(c, "id", annFile, "categories"), textField(c, "name", annFile, "categories"));
    }
    Map<Long, Integer> labelOf = new HashMap<>();
    List<String> names = new ArrayList<>();
    if (classes == null) {
      for (Map.Entry<Long, String> e : byId.entrySet()) {
        labelOf.put(e.getKey(), names.size());
        names.add(e.getValue());
      }
    } else {
      for (String cls : classes) {
        Long id = byId.entrySet().stream().filter(e -> e.getValue().equals(cls)).map(Map.Entry::getKey).findFirst()
            .orElseThrow(() -> new DataException("class '" + cls + "' is not a category of " + annFile
                + "; categories: " + byId.values()));
        labelOf.put(id, names.size());
        names.add(cls);
      }
    }

    Map<Long, List<JsonNode>> annsByImage = new HashMap<>();
    for (JsonNode a : array(root, "annotations", annFile)) {
      annsByImage.computeIfAbsent(longField(a, "image_id", annFile, "annotations"), k -> new ArrayList<>()).add(a);
    }
    List<Entry> list = new ArrayList<>();
    for (JsonNode img : array(root, "images", annFile)) {
      long id = longField(img, "id", annFile, "images");
      String file = textField(img, "file_name", annFile, "images");
      resolve(imageRoot, file);
      long w = img.path("width").asLong(0);
      long h = img.path("height").asLong(0);
      if (w * h > maxPixels) {
        throw new DataException("image " + file + " is " + w + "x" + h + " = " + (w * h)
            + " pixels by " + annFile + ", more than the limit of " + maxPixels + " (max_pixels)");
      }
      List<Float> boxes = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      List<Float> ignore = new ArrayList<>();
      for (JsonNode a : annsByImage.getOrDefault(id, List.of())) {
        Integer label = labelOf.get(longField(a, "category_id", annFile, "annotations"));
        JsonNode bbox = a.get("bbox");
        if (bbox == null || !bbox.isArray() || bbox.size() != 4) {
          throw new DataException(annFile + ": annotation " + a.path("id").asText("?") + " must have bbox [x, y, w, h]");
        }
        double x = bbox.get(0).asDouble();
        double y = bbox.get(1).asDouble();
        double bw = bbox.get(2).asDouble();
        double bh = bbox.get(3).asDouble();
        if (label == null || a.path("area").asDouble(bw * bh) <= 0 || bw < 1 || bh < 1) {
          continue;
        }
        List<Float> target = a.path("iscrowd").asInt(0) != 0 ? ignore : boxes;
        target.add((float) x);
        target.add((float) y);
        target.add((float) (x + bw));
        target.add((float) (y + bh));
        if (target == boxes) {
          labels.add(label);
        }
      }
      if (filterEmptyGt && labels.isEmpty()) {
        continue;
      }
      list.add(new Entry(file, toFloats(boxes), labels.stream().mapToInt(Integer::intValue).toArray(),
          toFloats(ignore)));
    }
    return new Annotations(imageRoot, List.copyOf(names), List.copyOf(list));
  }

  private static JsonNode array(JsonNode root, String key, Path file) {
    JsonNode n = root.get(key);
    if (n == null || !n.isArray()) {
      throw new DataException("annotation file " + file + " must have a '" + key + "' array");
    }
    return n;
  }

  private static long longField(JsonNode n, String key, Path file, String where) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToLong()) {
      throw new DataException(file + ": every entry of '" + where + "' needs an integer '" + key + "'; got " + n);
    }
    return v.asLong();
  }

  private static String textField(JsonNode n, String key, Path file, String where) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new DataException(file + ": every entry of '" + where + "' needs a string '" + key + "'; got " + n);
    }
    return v.asText();
  }

  private static float[] toFloats(List<Float> l) {
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i);
    }
    return out;
  }

  /** The file of {@code fileName} inside the image folder; rejects names that lead outside it. */
  private static Path resolve(Path imageRoot, String fileName) {
    Path rel = Path.of(fileName);
    Path p = imageRoot.resolve(rel).normalize();
    if (rel.isAbsolute() || !p.startsWith(imageRoot)) {
      throw new DataException("image file_name '" + fileName + "' escapes the image folder " + imageRoot);
    }
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      try {
        if (!p.toRealPath().startsWith(imageRoot)) {
          throw new DataException("image file_name '" + fileName + "' links outside the image folder " + imageRoot);
        }
      } catch (IOException e) {
        throw new DataException("cannot open image " + p + ": " + e.getMessage(), e);
      }
    }
    return p;
  }

  @Override
  protected RawSample loadImage(int index) {
    Entry e = entries.get(index);
    Path file = resolve(imageRoot, e.fileName());
    return new RawSample(e.fileName(), read(file), e.boxes().clone(), e.labels().clone(), e.ignore().clone());
  }

  private BufferedImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("image not found: " + file);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new DataException("cannot read image " + file + ": not a supported image format");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > maxPixels) {
          throw new DataException("image " + file + " is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " = "
              + pixels + " pixels, more than the limit of " + maxPixels + " (max_pixels)");
        }
        BufferedImage img = reader.read(0);
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(img, 0, 0, null);
        return rgb;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException ex) {
      if (ex instanceof DataException d) {
        throw d;
      }
      throw new DataException("cannot read image " + file + ": " + ex.getMessage(), ex);
    }
  }
}
