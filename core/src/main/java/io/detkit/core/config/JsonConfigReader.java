package io.detkit.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the plain value tree of a JSON config from Jackson's token stream. Data binding is never
 * involved, so no type information in the document can pick a Java class.
 */
final class JsonConfigReader {
  // Non-numeric numbers are let through the tokenizer only so that they are refused with a clear message.
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private final JsonParser parser;
  private final String source;
  private long values;

  private JsonConfigReader(JsonParser parser, String source) {
    this.parser = parser;
    this.source = source;
  }

  static Map<String, Object> read(String json, String source) {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonConfigReader r = new JsonConfigReader(p, source);
      try {
        return r.document();
      } catch (JsonProcessingException e) {
        JsonLocation loc = e.getLocation() != null ? e.getLocation() : p.currentLocation();
        throw ConfigException.syntax(source, Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()),
            "invalid JSON: " + e.getOriginalMessage());
      }
    } catch (IOException e) {
      throw ConfigException.wrap(source + ": cannot read JSON: " + e.getMessage(), e);
    }
  }

  private ConfigException error(String message) {
    JsonLocation loc = parser.currentTokenLocation();
    return ConfigException.syntax(
        source, Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()), message);
  }

  private Map<String, Object> document() throws IOException {
    JsonToken t = parser.nextToken();
    if (t == null) {
      throw ConfigException.syntax(source, 1, 1, "empty JSON document; expected an object");
    }
    if (t != JsonToken.START_OBJECT) {
      throw error("a JSON config must be an object at the top level; got " + describe(t));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> root = (Map<String, Object>) value(t, 1);
    JsonToken extra = parser.nextToken();
    if (extra != null) {
      throw error("unexpected content after the top-level object: " + describe(extra));
    }
    return root;
  }

  private Object value(JsonToken t, int depth) throws IOException {
    if (++values > ConfigLoader.MAX_VALUES) {
      throw error("more than " + ConfigLoader.MAX_VALUES + " values in one config (ConfigLoader.MAX_VALUES)");
    }
    switch (t) {
      case START_OBJECT -> {
        checkDepth(depth);
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonToken k = parser.nextToken(); k != JsonToken.END_OBJECT; k = parser.nextToken()) {
          String key = parser.currentName();
          checkLength(key);
          if (out.containsKey(key)) {
            throw error("duplicate key '" + PyLexer.abbreviate(key, 80) + "' in one JSON object (the first"
                + " would be silently lost)");
          }
          out.put(key, value(parser.nextToken(), depth + 1));
        }
        return out;
      }
      case START_ARRAY -> {
        checkDepth(depth);
        List<Object> out = new ArrayList<>();
        for (JsonToken e = parser.nextToken(); e != JsonToken.END_ARRAY; e = parser.nextToken()) {
          out.add(value(e, depth + 1));
        }
        return out;
      }
      case VALUE_STRING -> {
        String s = parser.getText();
        checkLength(s);
        return s;
      }
      case VALUE_NUMBER_INT -> {
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.BIG_INTEGER) {
          throw error("integer " + PyLexer.abbreviate(parser.getText(), 40)
              + " does not fit a 64-bit signed integer");
        }
        return parser.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        if (parser.isNaN()) {
          throw error("'" + parser.getText() + "' is not a JSON number: NaN and Infinity are not JSON and a config"
              + " number must be finite");
        }
        return parser.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw error("unexpected " + describe(t));
    }
  }

  private void checkDepth(int depth) {
    if (depth > ConfigLoader.MAX_DEPTH) {
      throw error("nesting deeper than " + ConfigLoader.MAX_DEPTH
          + " levels of objects and arrays (ConfigLoader.MAX_DEPTH)");
    }
  }

  private void checkLength(String s) {
    if (s.length() > ConfigLoader.MAX_STRING_LENGTH) {
      throw error("string longer than " + ConfigLoader.MAX_STRING_LENGTH
          + " characters (ConfigLoader.MAX_STRING_LENGTH)");
    }
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }
}
