package io.detkit.core.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * Builds the plain value tree of a YAML config from snakeyaml-engine's node graph. Only the
 * composer runs (no constructor), and every node's tag is checked against the core schema before
 * its value is read, so a document cannot name a Java class or reach the environment.
 */
final class YamlConfigReader {
  private static final Set<Tag> SCALAR_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL);

  // The YAML 1.2 core schema's scalar forms (https://yaml.org/spec/1.2.2/#1023-core-schema).
  private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
  private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
  private static final Pattern INT_DEC = Pattern.compile("[-+]?[0-9]+");
  private static final Pattern INT_OCT = Pattern.compile("0o[0-7]+");
  private static final Pattern INT_HEX = Pattern.compile("0x[0-9a-fA-F]+");
  private static final Pattern FLOAT_NUM = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern FLOAT_INF = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
  private static final Pattern FLOAT_NAN = Pattern.compile("\\.(nan|NaN|NAN)");

  /**
   * The core schema, except that a plain {@code ${NAME}} stays a string: snakeyaml-engine would
   * otherwise tag it for environment-variable substitution, which a config must never trigger.
   */
  private static final Schema SCHEMA = new Schema() {
    private final CoreSchema core = new CoreSchema();

    @Override
    public ScalarResolver getScalarResolver() {
      ScalarResolver resolver = core.getScalarResolver();
      return (value, implicit) -> {
        Tag tag = resolver.resolve(value, implicit);
        return Tag.ENV_TAG.equals(tag) ? Tag.STR : tag;
      };
    }

    @Override
    public Map<Tag, ConstructNode> getSchemaTagConstructors() {
      return Map.of();
    }
  };

  private final String source;
  private long values;

  private YamlConfigReader(String source) {
    this.source = source;
  }

  static Map<String, Object> read(String yaml, String source) {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(source)
        .setSchema(SCHEMA)
        .setCodePointLimit(ConfigLoader.MAX_SOURCE_SIZE)
        .setAllowDuplicateKeys(true)
        .setAllowRecursiveKeys(false)
        .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(yaml);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
      String context = e.getContext() == null || e.getContext().isEmpty() ? "" : e.getContext() + ": ";
      String problem = e.getProblem() == null ? String.valueOf(e.getMessage()) : e.getProblem();
      throw ConfigException.syntax(source, mark.map(m -> m.getLine() + 1).orElse(1),
          mark.map(m -> m.getColumn() + 1).orElse(1), "invalid YAML: " + context + problem);
    } catch (YamlEngineException e) {
      throw ConfigException.wrap(source + ": invalid YAML: " + e.getMessage(), e);
    }
    if (root.isEmpty()) {
      return new LinkedHashMap<>();
    }
    YamlConfigReader r = new YamlConfigReader(source);
    Node node = root.get();
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL) && NULL.matcher(s.getValue()).matches()) {
      return new LinkedHashMap<>();
    }
    Object v = r.value(node, 1);
    if (!(v instanceof Map<?, ?>)) {
      throw r.error(node, "a YAML config must be a mapping at the top level; got "
          + (v instanceof List ? "a sequence" : "a scalar"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) v;
    return map;
  }

  private ConfigException error(Node node, String message) {
    Optional<Mark> mark = node.getStartMark();
    return ConfigException.syntax(source, mark.map(m -> m.getLine() + 1).orElse(1),
        mark.map(m -> m.getColumn() + 1).orElse(1), message);
  }

  private static String showTag(Tag tag) {
    String v = tag.getValue();
    return v.startsWith(Tag.PREFIX) ? "!!" + v.substring(Tag.PREFIX.length()) : v;
  }

  private ConfigException badTag(Node node, String kind) {
    return error(node, "YAML tag '" + showTag(node.getTag()) + "' is not allowed on a " + kind
        + ": only the core schema's !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are accepted"
        + " (configs never instantiate classes)");
  }

  private Object value(Node node, int depth) {
    if (++values > ConfigLoader.MAX_VALUES) {
      throw error(node, "more than " + ConfigLoader.MAX_VALUES
          + " values in one config, counting each alias in full (ConfigLoader.MAX_VALUES)");
    }
    if (node instanceof ScalarNode s) {
      if (!SCALAR_TAGS.contains(s.getTag())) {
        throw badTag(node, "scalar");
      }
      return scalar(s);
    }
    if (depth > ConfigLoader.MAX_DEPTH) {
      throw error(node, "nesting deeper than " + ConfigLoader.MAX_DEPTH
          + " levels of mappings and sequences (ConfigLoader.MAX_DEPTH)");
    }
    if (node instanceof SequenceNode seq) {
      if (!seq.getTag().equals(Tag.SEQ)) {
        throw badTag(node, "sequence");
      }
      List<Object> out = new ArrayList<>(seq.getValue().size());
      for (Node item : seq.getValue()) {
        out.add(value(item, depth + 1));
      }
      return out;
    }
    if (node instanceof MappingNode map) {
      if (!map.getTag().equals(Tag.MAP)) {
        throw badTag(node, "mapping");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        Node k = t.getKeyNode();
        if (!(k instanceof ScalarNode ks) || !ks.getTag().equals(Tag.STR)) {
          String got = k instanceof ScalarNode ks2
              ? (SCALAR_TAGS.contains(ks2.getTag()) ? Config.describe(scalar(ks2)) : "a tagged scalar")
              : k instanceof SequenceNode ? "a sequence" : "a mapping";
          throw error(k, "mapping keys must be strings; got " + got);
        }
        out.put(checkLength(k, ks.getValue()), value(t.getValueNode(), depth + 1));
      }
      return out;
    }
    throw error(node, "unsupported YAML node " + node.getNodeType());
  }

  private String checkLength(Node node, String s) {
    if (s.length() > ConfigLoader.MAX_STRING_LENGTH) {
      throw error(node, "string longer than " + ConfigLoader.MAX_STRING_LENGTH
          + " characters (ConfigLoader.MAX_STRING_LENGTH)");
    }
    return s;
  }

  private Object scalar(ScalarNode node) {
    String v = node.getValue();
    Tag tag = node.getTag();
    if (tag.equals(Tag.STR)) {
      return checkLength(node, v);
    }
    if (tag.equals(Tag.NULL) && NULL.matcher(v).matches()) {
      return null;
    }
    if (tag.equals(Tag.BOOL) && BOOL.matcher(v).matches()) {
      return Character.toLowerCase(v.charAt(0)) == 't';
    }
    if (tag.equals(Tag.INT)) {
      BigInteger b = null;
      if (INT_DEC.matcher(v).matches()) {
        b = new BigInteger(v.startsWith("+") ? v.substring(1) : v);
      } else if (INT_OCT.matcher(v).matches()) {
        b = new BigInteger(v.substring(2), 8);
      } else if (INT_HEX.matcher(v).matches()) {
        b = new BigInteger(v.substring(2), 16);
      }
      if (b != null) {
        if (b.bitLength() > 63) {
          throw error(node, "integer " + PyLexer.abbreviate(v, 40) + " does not fit a 64-bit signed integer");
        }
        return b.longValue();
      }
    }
    if (tag.equals(Tag.FLOAT)) {
      if (FLOAT_NAN.matcher(v).matches()) {
        return Double.NaN;
      }
      if (FLOAT_INF.matcher(v).matches()) {
        return v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      if (FLOAT_NUM.matcher(v).matches()) {
        return Double.parseDouble(v);
      }
    }
    throw error(node, "'" + PyLexer.abbreviate(v, 40) + "' is not a valid " + showTag(tag));
  }
}
