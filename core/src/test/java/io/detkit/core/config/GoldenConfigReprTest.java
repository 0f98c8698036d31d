package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.detkit.core.golden.GoldenCase;
import io.detkit.core.golden.GoldenSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden case's {@code config_repr} (Python's repr of the MMDetection config dict) parses with
 * {@link ConfigLoader#fromPythonExpression} to the case's JSON {@code config}, once tuples are read
 * as lists; ints and floats must agree exactly.
 */
class GoldenConfigReprTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> everyConfigReprMatchesItsJsonConfig() {
    List<DynamicTest> tests = new ArrayList<>();
    for (GoldenCase c : GoldenSet.load().cases()) {
      JsonNode repr = c.raw().get("config_repr");
      if (repr == null || !repr.isTextual()) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(c.id(), () -> {
        Config parsed = ConfigLoader.fromPythonExpression(repr.asText(), c.id() + ":config_repr");
        Config expected = Config.of(JSON.convertValue(c.raw().get("config"), Map.class));
        assertThat(ConfigTrees.firstDifference(ConfigTrees.tuplesAsLists(parsed), expected, c.id()))
            .as(repr.asText()).isNull();
        assertThat(ConfigTrees.firstDifference(c.config(), parsed, c.id()))
            .as("GoldenCase.config() reads config_repr").isNull();
      }));
    }
    assertThat(tests).as("cases with a config_repr").isNotEmpty();
    return tests.stream();
  }

  @Test
  void bundledSetKeepsTuplesThatJsonLoses() {
    // MaxIoUAssigner treats neg_iou_thr as a range only when it is a tuple; JSON cannot say so.
    long tuples = GoldenSet.bundled().cases().stream()
        .map(GoldenCase::config)
        .filter(cfg -> containsTuple(cfg))
        .count();
    long reprsWithTuples = GoldenSet.bundled().cases().stream()
        .map(c -> c.raw().path("config_repr").asText(""))
        .filter(r -> r.matches("(?s).*\\((?:[^()']|'[^']*')*,(?:[^()']|'[^']*')*\\).*"))
        .count();
    assertThat(reprsWithTuples).isPositive();
    assertThat(tuples).isEqualTo(reprsWithTuples);
  }

  private static boolean containsTuple(Object v) {
    if (v instanceof PyTuple) {
      return true;
    }
    if (v instanceof Config c) {
      return c.keys().stream().anyMatch(k -> containsTuple(c.get(k)));
    }
    return v instanceof List<?> l && l.stream().anyMatch(GoldenConfigReprTest::containsTuple);
  }
}
