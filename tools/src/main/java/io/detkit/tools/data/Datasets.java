package io.detkit.tools.data;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds datasets from {@code data.train} / {@code data.val} / {@code data.test} dicts.
 *
 * <ul>
 *   <li>{@code dict(type='ShapesDataset', num_images, image_size=64, min_objects=1, max_objects=5,
 *       min_side, max_side, noise, seed, pipeline=[...])}: the synthetic {@link ShapesDataset};
 *   <li>{@code dict(type='CocoDataset', ann_file, img_prefix, classes=None, filter_empty_gt=True,
 *       data_root=None, max_pixels=4096*4096, pipeline=[...])}: {@link CocoDataset}; as in
 *       MMDetection's {@code CustomDataset}, relative paths resolve against the dataset's own
 *       {@code data_root} when given, else the working directory. (MMDetection's config files
 *       spell the top-level {@code data_root} variable into each path, {@code data_root + '...'},
 *       so it must not be prefixed again.)
 * </ul>
 * {@code test_mode} is accepted (a COCO test split keeps images without boxes).
 */
public final class Datasets {
  /** A dataset with the pipeline its config names. */
  public record Built(DetectionDataset dataset, Pipeline pipeline) {}

  private Datasets() {}

  private static Registry<DetectionDataset> registry() {
    return new Registry<DetectionDataset>("dataset")
        .register("ShapesDataset", c -> {
          c.accept("pipeline", "test_mode", "classes");
          try {
            return new ShapesDataset(c.getInt("num_images"), c.getInt("image_size", 64), c.getInt("min_objects", 1),
                c.getInt("max_objects", 5), c.getInt("min_side"), c.getInt("max_side"), c.getDouble("noise", 0.05),
                c.getLong("seed"));
          } catch (ConfigException e) {
            throw e;
          } catch (IllegalArgumentException e) {
            throw ConfigException.at(c.path(), e.getMessage());
          }
        })
        .register("CocoDataset", c -> {
          c.accept("pipeline");
          boolean testMode = c.getBoolean("test_mode", false);
          List<String> classes = null;
          if (!c.isNull("classes")) {
            classes = new ArrayList<>();
            for (Object o : c.getList("classes")) {
              if (!(o instanceof String s)) {
                throw ConfigException.at(c.pathOf("classes"), "expected class names; got " + Config.describe(o));
              }
              classes.add(s);
            }
          }
          Path dataRoot = c.isNull("data_root") ? null : Path.of(c.getString("data_root"));
          Path ann = resolve(dataRoot, c.getString("ann_file"));
          Path img = resolve(dataRoot, c.getString("img_prefix", ""));
          long maxPixels = c.isNull("max_pixels") ? CocoDataset.DEFAULT_MAX_PIXELS : c.getLong("max_pixels");
          if (maxPixels <= 0) {
            throw ConfigException.at(c.pathOf("max_pixels"), "must be > 0; got " + maxPixels);
          }
          return new CocoDataset(ann, img, classes, c.getBoolean("filter_empty_gt", true) && !testMode, maxPixels);
        });
  }

  private static Path resolve(Path root, String p) {
    Path path = Path.of(p.isEmpty() ? "." : p);
    return root == null || path.isAbsolute() ? path : root.resolve(path);
  }

  /**
   * Builds the dataset and pipeline of {@code split} ({@code data.train} etc.).
   *
   * @throws ConfigException naming the key for an unknown type or parameter or a bad value
   * @throws DataException if the data files cannot be read
   */
  public static Built build(Config split) {
    DetectionDataset ds = registry().build(split);
    Pipeline p = Pipeline.fromConfig(split.getList("pipeline"), split.pathOf("pipeline"));
    return new Built(ds, p);
  }
}
