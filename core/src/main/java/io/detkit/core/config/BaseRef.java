package io.detkit.core.config;

/**
 * A {@code {{_base_.a.b}}} reference while a config file is read: mmcv replaces it by a unique
 * string, evaluates the file, and afterwards swaps every value equal to that string for the value
 * at {@code a.b} in the file's merged bases. This object plays the string's part: it can sit
 * anywhere in a value tree, and {@link ConfigMerge#substituteBaseRefs} swaps it for the base's
 * value. It is never an operand (mmcv would compute with the placeholder string).
 *
 * @param path the dotted path after {@code _base_.}
 * @param source the file that holds the reference
 * @param line 1-based line of the reference, or -1 when unknown (JSON and YAML)
 * @param column 1-based column of the reference, or -1 when unknown
 */
record BaseRef(String path, String source, int line, int column) {
  /** Where the reference is, for messages: {@code file:3:9} or just the file. */
  String where() {
    return line > 0 ? source + ":" + line + ":" + column : source;
  }
}
