package io.detkit.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mmcv 1.x's {@code Config.fromfile} for one file and its {@code _base_} chain, evaluating nothing.
 *
 * <p>Per file, in mmcv's order: the predefined {@code {{ fileDirname }}},
 * {@code {{ fileBasename }}}, {@code {{ fileBasenameNoExtension }}} and {@code {{ fileExtname }}}
 * are replaced in the text; the file is read ({@code {{_base_.a.b}}} references become
 * {@link BaseRef}s); {@code _base_} (a string or a list of strings, relative to the file's
 * directory) names bases, each read the same way, recursively; the bases are combined (a key in two
 * of them is an error), the references are resolved against them, and the file is merged over them
 * by mmcv's rule ({@link ConfigMerge}). In a Python file, names of the bases can also be used as
 * bare names after the {@code _base_} assignment (mmcv 1.x raises NameError there; detkit reads
 * them as the bases' merged values). As in mmcv, a Python file's names starting with {@code __}
 * are not part of the result, and {@code filename}, {@code text} and {@code pretty_text} are
 * reserved top-level keys.
 *
 * <p>A file is read only if it is a regular file (a FIFO or a device is refused before it is
 * opened) and through a stream bounded at {@link ConfigLoader#MAX_SOURCE_SIZE} + 1 bytes, so a file
 * that grows or lies about its size cannot exhaust the heap. A chain reads at most
 * {@link ConfigLoader#MAX_BASE_FILES} files; a cycle is an error naming its files.
 */
final class ConfigFiles {
  private static final int MAX_BASE_FILES = ConfigLoader.MAX_BASE_FILES;

  private static final Pattern PREDEFINED = Pattern.compile(
      "\\{\\{\\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\\s*}}");
  private static final List<String> RESERVED = List.of("filename", "text", "pretty_text");

  /**
   * The files being read, innermost last, for cycles and messages: as named (the top file as the
   * caller gave it, each base resolved against its includer's directory).
   */
  private final Deque<Path> chain = new ArrayDeque<>();
  private int filesRead;

  private ConfigFiles() {}

  /** Reads {@code path} and its bases into one merged config. */
  static Config load(Path path) {
    ConfigFiles files = new ConfigFiles();
    Map<String, Object> merged = files.file2dict(path, null);
    for (String key : RESERVED) {
      if (merged.containsKey(key)) {
        throw ConfigException.at(key, "'" + key + "' is reserved for the config file (as in mmcv); rename it");
      }
    }
    return Config.of(merged);
  }

  static String extension(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** One file with its bases merged in; {@code askedBy} describes the include, or null for the top file. */
  private Map<String, Object> file2dict(Path file, String askedBy) {
    Path identity = file.toAbsolutePath().normalize();
    if (chain.stream().anyMatch(p -> p.toAbsolutePath().normalize().equals(identity))) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (Path p : chain) {
        in |= p.toAbsolutePath().normalize().equals(identity);
        if (in) {
          cycle.add(p.toString());
        }
      }
      cycle.add(file.toString());
      throw ConfigException.wrap("cycle in _base_ files: " + String.join(" -> ", cycle), null);
    }
    if (++filesRead > MAX_BASE_FILES) {
      throw ConfigException.wrap("more than " + MAX_BASE_FILES + " config files in the _base_ chain of "
          + chain.peekLast() + " (ConfigLoader.MAX_BASE_FILES)", null);
    }
    String ext = extension(file);
    if (!ext.equals("py") && !ext.equals("json") && !ext.equals("yaml") && !ext.equals("yml")) {
      throw ConfigException.wrap("unsupported config file " + file + ": expected a .py, .json, .yaml or .yml"
          + " extension; got " + (ext.isEmpty() ? "none" : "'." + ext + "'") + suffix(askedBy), null);
    }
    String text = substitutePredefined(read(file, askedBy), identity);
    chain.addLast(file);
    try {
      String source = file.toString();
      Bases bases = new Bases(file);
      Map<String, Object> own;
      if (ext.equals("py")) {
        own = PyParser.parseModule(text, source, (value, line, column) -> bases.load(value, line, column));
        own.keySet().removeIf(k -> k.startsWith("__"));
      } else {
        own = readStructured(text, source, ext);
        if (own.containsKey(ConfigMerge.BASE_KEY)) {
          bases.load(own.get(ConfigMerge.BASE_KEY), -1, -1);
        }
      }
      own.remove(ConfigMerge.BASE_KEY);
      @SuppressWarnings("unchecked")
      Map<String, Object> resolved = (Map<String, Object>) ConfigMerge.substituteBaseRefs(own, bases.union,
          bases.files);
      Map<String, Object> out = bases.files.isEmpty() ? resolved
          : ConfigMerge.mergeInto(resolved, bases.union, "", source);
      ConfigMerge.checkLimits(out, source);
      return out;
    } finally {
      chain.removeLast();
    }
  }

  private static String suffix(String askedBy) {
    return askedBy == null ? "" : " (" + askedBy + ")";
  }

  /** The bases of one file, loaded when its {@code _base_} is read. */
  private final class Bases {
    final Path file;
    final List<String> files = new ArrayList<>();
    Map<String, Object> union = Map.of();

    Bases(Path file) {
      this.file = file;
    }

    Map<String, Object> load(Object value, int line, int column) {
      List<String> names = new ArrayList<>();
      String where = file + (line > 0 ? ":" + line + ":" + column : "");
      if (value instanceof String s) {
        names.add(s);
      } else if (value instanceof List<?> l && !(value instanceof PyTuple)
          && l.stream().allMatch(x -> x instanceof String)) {
        l.forEach(x -> names.add((String) x));
      } else {
        throw ConfigException.wrap(where + ": _base_ must be a file name or a list of file names; got "
            + PyOperators.typeName(value), null);
      }
      List<Map<String, Object>> dicts = new ArrayList<>();
      Path dir = file.getParent();
      for (String name : names) {
        Path base;
        try {
          base = (dir == null ? Path.of(name) : dir.resolve(name)).normalize();
        } catch (InvalidPathException e) {
          // found by fuzzing: a NUL or another character the file system cannot name
          throw ConfigException.wrap(where + ": _base_ names an invalid file name '"
              + PyLexer.abbreviate(name, 80).replace("\0", "\\0") + "': " + e.getReason(), e);
        }
        dicts.add(file2dict(base, "a _base_ of " + includeChain(where)));
        files.add(base.toString());
      }
      union = ConfigMerge.unionOfBases(dicts, files, file.toString());
      return union;
    }
  }

  /** {@code where}, then the files that included it: "a.py:1:9, itself a _base_ of b.py". */
  private String includeChain(String where) {
    StringBuilder sb = new StringBuilder(where);
    Iterator<Path> it = chain.descendingIterator();
    it.next(); // the file of 'where' itself
    while (it.hasNext()) {
      sb.append(", itself a _base_ of ").append(it.next());
    }
    return sb.toString();
  }

  /**
   * mmcv's {@code _substitute_predefined_vars}: plain text replacement, backslashes as slashes, of
   * the absolute file's directory, name, name without extension and extension (with its dot).
   */
  private static String substitutePredefined(String text, Path file) {
    if (text.indexOf("{{") < 0) {
      return text;
    }
    String base = file.getFileName().toString();
    int dot = base.lastIndexOf('.');
    Map<String, String> values = Map.of(
        "fileDirname", String.valueOf(file.getParent()),
        "fileBasename", base,
        "fileBasenameNoExtension", dot < 0 ? base : base.substring(0, dot),
        "fileExtname", dot < 0 ? "" : base.substring(dot));
    Matcher m = PREDEFINED.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(values.get(m.group(1)).replace('\\', '/')));
      if (sb.length() > ConfigLoader.MAX_SOURCE_SIZE) {
        throw ConfigException.wrap(file + ": more than " + ConfigLoader.MAX_SOURCE_SIZE + " characters after"
            + " replacing {{ fileDirname }} and the like (ConfigLoader.MAX_SOURCE_SIZE)", null);
      }
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * A JSON or YAML file: like mmcv, each {@code {{_base_.a.b}}} is first replaced in the text by a
   * quoted placeholder string, and after parsing every value equal to a placeholder becomes the
   * {@link BaseRef} it stands for.
   */
  private static Map<String, Object> readStructured(String text, String source, String ext) {
    String prefix = "_detkit_base_ref_";
    while (text.contains(prefix)) {
      prefix = "_" + prefix;
    }
    Map<String, BaseRef> refs = new LinkedHashMap<>();
    Matcher m = PyLexer.BASE_REF.matcher(text);
    StringBuilder sb = new StringBuilder();
    int line = 1;
    int lineStart = 0;
    int scanned = 0;
    while (m.find()) {
      for (int i = scanned; i < m.start(); i++) {
        if (text.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      scanned = m.start();
      String placeholder = prefix + refs.size();
      refs.put(placeholder, new BaseRef(m.group(1), source, line, m.start() - lineStart + 1));
      m.appendReplacement(sb, Matcher.quoteReplacement("\"" + placeholder + "\""));
    }
    m.appendTail(sb);
    String replaced = sb.toString();
    Map<String, Object> map = ext.equals("json")
        ? JsonConfigReader.read(ConfigLoader.checkSize(replaced, source), source)
        : YamlConfigReader.read(ConfigLoader.checkSize(replaced, source), source);
    if (refs.isEmpty()) {
      return map;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) placeholdersToRefs(map, refs);
    return out;
  }

  private static Object placeholdersToRefs(Object v, Map<String, BaseRef> refs) {
    if (v instanceof String s) {
      BaseRef r = refs.get(s);
      return r == null ? s : r;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put((String) k, placeholdersToRefs(x, refs)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(placeholdersToRefs(x, refs)));
      return out;
    }
    return v;
  }

  /**
   * The file's text: regular files only, read through a stream bounded at the size limit + 1 byte,
   * decoded as strict UTF-8.
   */
  static String read(Path path, String askedBy) {
    byte[] bytes;
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
      if (attrs.isDirectory()) {
        throw ConfigException.wrap("config file " + path + " is a directory" + suffix(askedBy), null);
      }
      if (!attrs.isRegularFile()) {
        // A FIFO would block the open until a writer comes; a device such as /dev/zero never ends.
        throw ConfigException.wrap("config file " + path + " is not a regular file (a FIFO, socket or device);"
            + " only regular files are read" + suffix(askedBy), null);
      }
      if (attrs.size() > ConfigLoader.MAX_SOURCE_SIZE) {
        throw tooLarge(path, attrs.size() + " bytes", askedBy);
      }
      try (InputStream in = Files.newInputStream(path)) {
        bytes = in.readNBytes(ConfigLoader.MAX_SOURCE_SIZE + 1);
      }
    } catch (NoSuchFileException e) {
      throw ConfigException.wrap("config file not found: " + path + suffix(askedBy), e);
    } catch (IOException e) {
      throw ConfigException.wrap("cannot read config file " + path + ": " + e + suffix(askedBy), e);
    }
    if (bytes.length > ConfigLoader.MAX_SOURCE_SIZE) {
      throw tooLarge(path, "more than " + ConfigLoader.MAX_SOURCE_SIZE + " bytes when read", askedBy);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ConfigException.wrap("config file " + path + " is not valid UTF-8: " + e.getMessage() + suffix(askedBy),
          e);
    }
  }

  private static ConfigException tooLarge(Path path, String size, String askedBy) {
    return ConfigException.wrap("config file " + path + " is " + size + ", more than " + ConfigLoader.MAX_SOURCE_SIZE
        + " (ConfigLoader.MAX_SOURCE_SIZE)" + suffix(askedBy), null);
  }
}
