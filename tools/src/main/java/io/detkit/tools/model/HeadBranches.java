package io.detkit.tools.model;

import io.detkit.heads.HeadOutputs;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * The layers of a dense head on one FPN level, as a builder of DL4J graph pieces: what
 * {@link DetectorNet} adds after each neck output. One implementation per family of head networks
 * ({@link DenseHeadBranches}: two towers and prediction convolutions; {@link TOODBranches}: TOOD's
 * task-aligned head). Built by {@link HeadNetworks#of}. Implementations are immutable.
 */
interface HeadBranches {
  /** Channels the head reads from the neck ({@code bbox_head.in_channels}). */
  int inChannels();

  /** The {@link HeadOutputs} names the head produces, in output order. */
  List<String> outputKinds();

  /**
   * Adds the head for one level reading {@code input}; the names of shared layers and of vertices
   * end in {@code "@" + level}, per-level layers ({@link Scale}) are named as MMDetection's
   * parameters ({@code bbox_head.scales.<level>}).
   *
   * @return output kind to the name of the vertex producing it
   */
  Map<String, String> addTo(GraphBuilder g, String input, int level);

  /**
   * Whether {@link #addLevels} runs the shared layers once for every level (on a
   * {@link LevelCanvas}) rather than once per level; false unless an implementation says so.
   */
  default boolean mergesLevels() {
    return false;
  }

  /**
   * Adds the head once for every level ({@code inputs}, level 0 first, of these {@code strides}):
   * each shared layer once, on a {@link LevelCanvas}, named as MMDetection's parameter, with no
   * copies to tie. {@link DetectorGraph} calls it only where {@link #mergesLevels} is true; the
   * per-level form is {@link #addTo} per level there.
   *
   * @return per level, output kind to the name of the vertex producing it
   * @throws IllegalStateException where {@link #mergesLevels} is false (by default)
   */
  default List<Map<String, String>> addLevels(GraphBuilder g, List<String> inputs, int[] strides) {
    throw new IllegalStateException(getClass().getSimpleName() + " does not merge levels (mergesLevels() is false);"
        + " add it per level with addTo");
  }

  /**
   * The base names (without {@code @level}) of the layers whose weights the levels share
   * (MMDetection applies one head to every level): {@link DetectorNet} ties their copies. Per-level
   * layers ({@link Scale}) are not listed.
   */
  List<String> sharedLayerNames();

  /**
   * The outputs a prediction reads, from the network's inference outputs of levels with these
   * strides; the same outputs unless the head's inference form differs from its training form
   * (FCOS with {@code norm_on_bbox}: distances in pixels, not strides).
   */
  default HeadOutputs forInference(HeadOutputs outputs, int[] strides) {
    return outputs;
  }
}
