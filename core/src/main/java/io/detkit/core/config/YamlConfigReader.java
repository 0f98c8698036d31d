package io.detkit.core.config;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Builds the plain value tree of a YAML config from snakeyaml-engine's event stream.
 *
 * <p>Only the parser runs: neither the composer nor a constructor is involved. Tags are resolved
 * here under the YAML 1.2 core schema and checked before any value is read, so a document cannot
 * name a Java class or reach the environment. The tree is built with an explicit stack, so deep
 * nesting fails at {@link ConfigLoader#MAX_DEPTH} instead of overflowing the thread's stack (the
 * engine's composer recurses once per level), and every alias counts in full towards
 * {@link ConfigLoader#MAX_VALUES}.
 */
final class YamlConfigReader {
  private static final Set<Tag> SCALAR_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL);

  // The YAML 1.2 core schema's scalar forms (https://yaml.org/spec/1.2.2/#1023-core-schema).
  private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
  private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
  private static final Pattern INT_DEC = Pattern.compile("[-+]?[0-9]+");
  private static final Pattern INT_OCT = Pattern.compile("0o[0-7]+");
  private static final Pattern INT_HEX = Pattern.compile("0x[0-9a-fA-F]+");
  private static final Pattern FLOAT_NUM =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern FLOAT_INF = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
  private static final Pattern FLOAT_NAN = Pattern.compile("\\.(nan|NaN|NAN)");

  private static final ScalarResolver CORE = new CoreSchema().getScalarResolver();

  /** A finished value with the facts the limits need when an alias repeats it. */
  private record Built(Object value, int depth, long size) {}

  /** An open mapping or sequence. */
  private static final class Frame {
    final boolean mapping;
    final Map<String, Object> map;
    final List<Object> list;
    final Optional<Anchor> anchor;
    final int level;
    String pendingKey;
    int childDepth;
    long size = 1;

    Frame(boolean mapping, Optional<Anchor> anchor, int level) {
      this.mapping = mapping;
      this.map = mapping ? new LinkedHashMap<>() : null;
      this.list = mapping ? null : new ArrayList<>();
      this.anchor = anchor;
      this.level = level;
    }

    boolean expectsKey() {
      return mapping && pendingKey == null;
    }
  }

  private static final Built IN_PROGRESS = new Built(null, 0, 0);

  private final String source;
  private final ArrayDeque<Frame> stack = new ArrayDeque<>();
  private final Map<String, Built> anchors = new HashMap<>();
  private long values;
  private Built root;
  private int documents;

  private YamlConfigReader(String source) {
    this.source = source;
  }

  static Map<String, Object> read(String yaml, String source) {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(source)
        .setCodePointLimit(ConfigLoader.MAX_SOURCE_SIZE)
        .build();
    YamlConfigReader r = new YamlConfigReader(source);
    Event first = null;
    Event last = null;
    try {
      for (Event e : new Parse(settings).parseString(yaml)) {
        if (first == null && e.getEventId() != Event.ID.StreamStart) {
          first = e;
        }
        last = e;
        r.accept(e);
      }
    } catch (ConfigException e) {
      throw e;
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
      String context = e.getContext() == null || e.getContext().isEmpty() ? "" : e.getContext() + ": ";
      String problem = e.getProblem() == null ? String.valueOf(e.getMessage()) : e.getProblem();
      throw ConfigException.syntax(source, line(mark), column(mark), "invalid YAML: " + context + problem);
    } catch (YamlEngineException e) {
      throw ConfigException.wrap(source + ": invalid YAML: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // snakeyaml-engine lets some malformed input out as a plain IllegalArgumentException (a tag
      // with a broken percent escape such as '!%a', found by fuzzing); it is a syntax error, reported
      // after the last event that parsed.
      Optional<Mark> mark = last == null ? Optional.empty() : last.getEndMark();
      throw ConfigException.syntax(source, line(mark), column(mark), "invalid YAML: " + e.getMessage());
    }
    if (r.root == null || r.root.value() == null) {
      return new LinkedHashMap<>();
    }
    if (!(r.root.value() instanceof Map<?, ?>)) {
      throw r.error(first, "a YAML config must be a mapping at the top level; got "
          + (r.root.value() instanceof List ? "a sequence" : "a scalar"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) r.root.value();
    return map;
  }

  private static int line(Optional<Mark> mark) {
    return mark.map(m -> m.getLine() + 1).orElse(1);
  }

  private static int column(Optional<Mark> mark) {
    return mark.map(m -> m.getColumn() + 1).orElse(1);
  }

  private ConfigException error(Event at, String message) {
    Optional<Mark> mark = at == null ? Optional.empty() : at.getStartMark();
    return ConfigException.syntax(source, line(mark), column(mark), message);
  }

  private void accept(Event e) {
    switch (e.getEventId()) {
      case DocumentStart -> {
        if (++documents > 1) {
          throw error(e, "invalid YAML: expected a single document, found another");
        }
      }
      case Scalar -> scalar((ScalarEvent) e);
      case Alias -> alias((AliasEvent) e);
      case SequenceStart, MappingStart -> open((CollectionStartEvent) e);
      case SequenceEnd, MappingEnd -> close();
      default -> { }
    }
  }

  private void scalar(ScalarEvent e) {
    Optional<String> explicit = e.getTag();
    Tag tag;
    if (explicit.isEmpty() || explicit.get().equals("!")) {
      tag = CORE.resolve(e.getValue(), e.getImplicit().canOmitTagInPlainScalar());
      // A plain ${NAME} is a string under the core schema; the engine would mark it for
      // environment-variable substitution, which a config must never trigger.
      if (tag.equals(Tag.ENV_TAG)) {
        tag = Tag.STR;
      }
    } else {
      tag = new Tag(explicit.get());
    }
    if (!SCALAR_TAGS.contains(tag)) {
      throw badTag(e, tag, "scalar");
    }
    Object value = convert(e, tag);
    Frame top = stack.peek();
    if (top != null && top.expectsKey()) {
      if (!(value instanceof String key)) {
        throw error(e, "mapping keys must be strings; got " + Config.describe(value));
      }
      checkUnique(e, top, key);
      top.pendingKey = key;
      remember(e, new Built(key, 0, 1));
      return;
    }
    Built b = new Built(value, 0, 1);
    remember(e, b);
    add(e, b);
  }

  /** YAML 1.2 requires unique keys; a repeated one would silently drop the first value. */
  private void checkUnique(Event e, Frame top, String key) {
    if (top.map.containsKey(key)) {
      throw error(e, "duplicate key '" + PyLexer.abbreviate(key, 80) + "' in one mapping (YAML 1.2 requires"
          + " unique keys)");
    }
  }

  private void remember(NodeEvent e, Built b) {
    e.getAnchor().ifPresent(a -> anchors.put(a.getValue(), b));
  }

  private void alias(AliasEvent e) {
    String name = e.getAlias().getValue();
    Built b = anchors.get(name);
    if (b == null) {
      throw error(e, "invalid YAML: found undefined alias '*" + name + "'");
    }
    if (b == IN_PROGRESS) {
      throw error(e, "recursive alias '*" + name + "': a collection cannot contain itself");
    }
    Frame top = stack.peek();
    if (top != null && top.expectsKey()) {
      if (!(b.value() instanceof String key)) {
        throw error(e, "mapping keys must be strings; got " + describe(b.value()));
      }
      checkUnique(e, top, key);
      top.pendingKey = key;
      return;
    }
    add(e, b);
  }

  private void open(CollectionStartEvent e) {
    boolean mapping = e.getEventId() == Event.ID.MappingStart;
    Optional<String> explicit = e.getTag();
    Tag tag = explicit.isEmpty() || explicit.get().equals("!")
        ? (mapping ? Tag.MAP : Tag.SEQ)
        : new Tag(explicit.get());
    if (!tag.equals(mapping ? Tag.MAP : Tag.SEQ)) {
      throw badTag(e, tag, mapping ? "mapping" : "sequence");
    }
    Frame top = stack.peek();
    if (top != null && top.expectsKey()) {
      throw error(e, "mapping keys must be strings; got a " + (mapping ? "mapping" : "sequence"));
    }
    int level = stack.size() + 1;
    if (level > ConfigLoader.MAX_DEPTH) {
      throw depthError(e);
    }
    count(e, 1);
    stack.push(new Frame(mapping, e.getAnchor(), level));
    e.getAnchor().ifPresent(a -> anchors.put(a.getValue(), IN_PROGRESS));
  }

  private void close() {
    Frame f = stack.pop();
    Built b = new Built(f.mapping ? f.map : f.list, f.childDepth + 1, f.size);
    f.anchor.ifPresent(a -> anchors.put(a.getValue(), b));
    if (stack.isEmpty()) {
      root = b;
    } else {
      attach(stack.peek(), b);
    }
  }

  /** Adds a scalar or an aliased value to the open collection, or makes it the root. */
  private void add(Event e, Built b) {
    count(e, b.size());
    Frame top = stack.peek();
    if (top == null) {
      root = b;
      return;
    }
    if (top.level + b.depth() > ConfigLoader.MAX_DEPTH) {
      throw depthError(e);
    }
    attach(top, b);
  }

  private void attach(Frame f, Built b) {
    if (f.mapping) {
      f.map.put(f.pendingKey, b.value());
      f.pendingKey = null;
    } else {
      f.list.add(b.value());
    }
    f.childDepth = Math.max(f.childDepth, b.depth());
    f.size += b.size();
  }

  private void count(Event e, long n) {
    values += n;
    if (values > ConfigLoader.MAX_VALUES) {
      throw error(e, "more than " + ConfigLoader.MAX_VALUES
          + " values in one config, counting each alias in full (ConfigLoader.MAX_VALUES)");
    }
  }

  private ConfigException depthError(Event e) {
    return error(e, "nesting deeper than " + ConfigLoader.MAX_DEPTH
        + " levels of mappings and sequences (ConfigLoader.MAX_DEPTH)");
  }

  private static String describe(Object v) {
    return v instanceof Map ? "a mapping" : v instanceof List ? "a sequence" : Config.describe(v);
  }

  private static String showTag(Tag tag) {
    String v = tag.getValue();
    return v.startsWith(Tag.PREFIX) ? "!!" + v.substring(Tag.PREFIX.length()) : v;
  }

  private ConfigException badTag(Event e, Tag tag, String kind) {
    return error(e, "YAML tag '" + showTag(tag) + "' is not allowed on a " + kind
        + ": only the core schema's !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are accepted"
        + " (configs never instantiate classes)");
  }

  private String checkLength(Event e, String s) {
    if (s.length() > ConfigLoader.MAX_STRING_LENGTH) {
      throw error(e, "string longer than " + ConfigLoader.MAX_STRING_LENGTH
          + " characters (ConfigLoader.MAX_STRING_LENGTH)");
    }
    return s;
  }

  private Object convert(ScalarEvent e, Tag tag) {
    String v = e.getValue();
    if (tag.equals(Tag.STR)) {
      return checkLength(e, v);
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
          throw error(e, "integer " + PyLexer.abbreviate(v, 40) + " does not fit a 64-bit signed integer");
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
    throw error(e, "'" + PyLexer.abbreviate(v, 40) + "' is not a valid " + showTag(tag));
  }
}
