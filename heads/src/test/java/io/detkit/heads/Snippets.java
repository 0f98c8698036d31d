package io.detkit.heads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Ties documentation to tested code: source regions between {@code // tag::name[]} and
 * {@code // end::name[]} (or {@code #} comments in Python files), and Markdown code blocks announced
 * by {@code <!-- snippet: name -->}.
 */
final class Snippets {
  private static final Pattern TAG = Pattern.compile("^\\s*(?://|#)\\s*tag::([\\w-]+)\\[]\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*(?://|#)\\s*end::([\\w-]+)\\[]\\s*$");
  private static final Pattern MARKER = Pattern.compile("^<!--\\s*snippet:\\s*([\\w-]+)\\s*-->\\s*$");

  private Snippets() {}

  /** A fenced code block of a Markdown file; {@code name} is null when no marker precedes it. */
  record Block(String name, String lang, String code, int line) {}

  /** The repository root: the nearest directory above the working directory that has {@code docs/}. */
  static Path repoRoot() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("docs"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no docs/ directory above " + System.getProperty("user.dir"));
    }
    return p;
  }

  /** Every tagged region under {@code dir} (Java and Python files), dedented, by tag name. */
  static Map<String, String> tagged(Path dir) {
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".java") || x.toString().endsWith(".py")).toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = TAG.matcher(lines.get(i));
          if (!m.matches()) {
            continue;
          }
          String name = m.group(1);
          int j = i + 1;
          while (j < lines.size() && !isEnd(lines.get(j), name)) {
            j++;
          }
          if (j == lines.size()) {
            throw new IllegalStateException(f + ":" + (i + 1) + ": tag '" + name + "' has no end");
          }
          if (out.put(name, dedent(lines.subList(i + 1, j))) != null) {
            throw new IllegalStateException("tag '" + name + "' appears twice (again in " + f + ")");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static boolean isEnd(String line, String name) {
    Matcher m = END.matcher(line);
    return m.matches() && m.group(1).equals(name);
  }

  static String dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  /** The fenced code blocks of a Markdown file, with the snippet name announced before each. */
  static List<Block> blocks(Path markdown) {
    List<String> lines;
    try {
      lines = Files.readAllLines(markdown, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("```")) {
        continue;
      }
      String lang = line.substring(3).trim();
      int j = i + 1;
      while (j < lines.size() && !lines.get(j).startsWith("```")) {
        j++;
      }
      String name = null;
      if (i > 0) {
        Matcher m = MARKER.matcher(lines.get(i - 1));
        if (m.matches()) {
          name = m.group(1);
        }
      }
      out.add(new Block(name, lang, dedent(lines.subList(i + 1, j)), i + 1));
      i = j;
    }
    return out;
  }
}
