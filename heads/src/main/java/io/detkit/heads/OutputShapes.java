package io.detkit.heads;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What {@link OutputChecks#check} returns for a valid batch of head outputs: the number of images,
 * each level's feature-map size (h, w) and the outputs' common floating dtype.
 */
public record OutputShapes(int numImages, List<int[]> featmapSizes, DataType dataType) {}
