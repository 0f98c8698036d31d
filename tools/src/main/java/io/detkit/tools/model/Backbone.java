package io.detkit.tools.model;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * A convolutional backbone that adds its layers to a DL4J graph and exposes multi-scale NCHW
 * feature maps, MMDetection's {@code backbone}.
 */
public interface Backbone {
  /**
   * Adds the layers reading from vertex {@code input} ({@code [N, in_channels, H, W]}).
   *
   * @return the vertex names of the outputs, one per {@code out_indices} entry, finest first
   */
  List<String> addTo(GraphBuilder graph, String input);

  /** Input channels expected. */
  int inChannels();

  /** Channels of each output. */
  int[] outChannels();

  /** Total stride of each output relative to the input. */
  int[] outStrides();
}
