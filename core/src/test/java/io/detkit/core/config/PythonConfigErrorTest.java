package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rejection of {@link ConfigLoader#fromPython}: the reason, the line and the column. */
class PythonConfigErrorTest {
  private static ConfigException fail(String source) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromPython(source, "cfg.py"));
    assertThat(e).as("expected a ConfigException for: %s", source).isNotNull();
    return e;
  }

  private static void assertAt(ConfigException e, int line, int column, String message) {
    assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
    assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
    assertThat(e.getMessage())
        .isEqualTo("cfg.py:" + line + ":" + column + ": " + message + " (line " + line + ", column " + column + ")");
  }

  /** The start of a refusal in a config file: what a config may use. */
  private static final String ALLOWED =
      "only literals, dict(...), earlier names, the operators + - * / // % and [key] subscripts are allowed; ";

  private static Arguments row(String source, int line, int column, String message) {
    return Arguments.of(source, line, column, message);
  }

  /** Each rejected source with the line and column it is reported at and the whole reason. */
  static Stream<Arguments> rejections() {
    return Stream.of(
        // import dunder call is rejected naming the callee
        row("x = 1\nos = __import__('os')\n", 2, 6, ALLOWED + "got a call to '__import__'"),
        // other calls are rejected
        row("model = dict(norm=list((1, 2)))", 1, 19, ALLOWED + "got a call to 'list'"),
        row("x = dict(a=1)(2)", 1, 14, ALLOWED + "got a call"),
        row("x = float('inf')", 1, 5, ALLOWED + "got a call to 'float'"),
        // attribute access is rejected
        row("x = os.path.join", 1, 5, ALLOWED + "got attribute access 'os.path.join'"),
        row("x = 'a'.upper()", 1, 8, ALLOWED + "got attribute access '.upper'"),
        // slices and computed subscripts are rejected
        row("a = [1]\nb = a[0:1]", 2, 8, ALLOWED + "got a slice; only a literal key or index can be subscripted"),
        row("a = [1]\ni = 0\nb = a[i]", 3, 7, "a subscript takes a literal key or index ('name' or 3); got name 'i'"),
        // operators are rejected
        row("x = 1 < 2", 1, 7, ALLOWED + "got the operator '<'"),
        row("x = [2 ** 10]", 1, 8, ALLOWED + "got the operator '**'"),
        row("x = -'y'", 1, 5, "bad operand type for unary -: str"),
        row("x = not True", 1, 5, ALLOWED + "got the operator 'not'"),
        row("x = 1 if True else 2", 1, 7, ALLOWED + "got a conditional expression (... if ... else ...)"),
        row("x = [i for i in y]", 1, 8, ALLOWED + "got a comprehension"),
        row("x += 1", 1, 3, ALLOWED + "got the augmented assignment '+='"),
        row("x = dict(*base)", 1, 10, ALLOWED + "got '*' unpacking in dict(...)"),
        row("x = [*[1]]", 1, 6, ALLOWED + "got '*' unpacking"),
        // lambdas and f strings are rejected
        row("f = lambda: 1", 1, 5, ALLOWED + "got a lambda"),
        row("s = f'{x}'", 1, 5, ALLOWED + "got an f-string (formatted strings are code)"),
        row("s = 'a' rf'{x}'", 1, 9, ALLOWED + "got an f-string (formatted strings are code)"),
        row("b = b'raw'", 1, 5, "bytes literals are not supported; use a str"),
        // statements other than assignments are rejected
        row("import os", 1, 1, "only top-level assignments 'name = <literal>' are allowed; got an import statement"),
        row("a = 1\nfrom os import system", 2, 1, "only top-level assignments 'name = <literal>' are allowed; got an import statement"),
        row("def f():\n    pass", 1, 1, "only top-level assignments 'name = <literal>' are allowed; got a 'def' statement"),
        row("if True:\n    x = 1", 1, 1, "only top-level assignments 'name = <literal>' are allowed; got an 'if' statement"),
        row("print('x')", 1, 1, ALLOWED + "got a call to 'print'"),
        row("x = 1\nx", 2, 1, "only top-level assignments 'name = <literal>' are allowed; got a bare expression"),
        row("a = b = 1", 1, 5, "unknown name 'b': a bare name must refer to an earlier top-level assignment" + " (none so far)"),
        row("a = 1\nb = a = 2", 2, 7, "chained assignment (a = b = ...) is not supported; assign one name per statement"),
        row("a, b = 1, 2", 1, 2, "unpacking assignments (a, b = ...) are not supported; assign one name per statement"),
        row("a: int = 1", 1, 2, "annotated assignments (name: type = value) are not supported"),
        row("True = 1", 1, 1, "cannot assign to the keyword 'True'"),
        row("'a' = 1", 1, 1, "only a plain name can be assigned at the top level"),
        row("dict = 1", 1, 1, "cannot assign to 'dict': dict(...) literals rely on the built-in name"),
        row("a = 1\n  b = 2", 2, 3, "unexpected indent: a top-level statement must start in column 1"),
        // unknown name lists the defined ones
        row("train_cfg = dict()\ntest_cfg = None\nmodel = dict(train_cfg=train_cfg, x=valid_cfg)", 3, 37, "unknown name 'valid_cfg': a bare name must refer to an earlier top-level assignment" + " (defined so far: train_cfg, test_cfg)"),
        row("model = dict(train_cfg=train_cfg)\ntrain_cfg = dict()", 1, 24, "unknown name 'train_cfg': a bare name must refer to an earlier top-level assignment (none so far)"),
        // syntax errors report line and column
        row("x = dict(a=1 b=2)", 1, 14, "expected ',' or ')', got name 'b'"),
        row("x = [1, 2\ny = 3", 2, 1, "expected ',' or ']', got name 'y'"),
        row("x = {'a' 1}", 1, 10, "expected ':', got number 1"),
        row("x =", 1, 4, "expected a value, got the end of the input"),
        row("x = \ny = 1", 1, 5, "expected a value, got the end of the line"),
        row("x = dict(\n  a=[1,\n", 3, 1, "unexpected end of input: '[' opened at line 2, column 5 is never closed"),
        row("x = dict(a=1", 1, 13, "unexpected end of input: '(' opened at line 1, column 9 is never closed"),
        row("x = 1 2", 1, 7, "expected the end of the line, got number 2"),
        row("x = $", 1, 5, "unexpected character '$'"),
        row("x = dict(1)", 1, 10, "dict(...) takes keyword arguments only (key=value); got number 1"),
        row("x = dict(a=1, a=2)", 1, 15, "keyword argument repeated in dict(...): 'a'"),
        row("x = dict(class=1)", 1, 10, "'class' is a Python keyword and cannot be a keyword argument; write {'class': ...} instead"),
        row("x = {1: 'a'}", 1, 6, "dict keys must be strings; got 1"),
        row("x = {'a', 'b'}", 1, 5, "set literals are not supported (a config holds dicts, lists and tuples)"),
        row("x = [*y]", 1, 6, ALLOWED + "got '*' unpacking"),
        row("x = ...", 1, 5, ALLOWED + "got '...' (Ellipsis)"),
        row("x = if", 1, 5, "expected a value, got the keyword 'if'"),
        // unterminated strings report where they start
        row("a = 1\nb = 'abc\nc = 2", 2, 5, "unterminated string literal (the line ends before its closing ')"),
        row("a = \"abc", 1, 5, "unterminated string literal (it starts here and the input ends before its closing \")"),
        row("a = '''abc\n\n", 1, 5, "unterminated triple-quoted string literal (it starts here and the input ends before its closing ')"),
        row("a = r'\\'", 1, 5, "unterminated string literal (it starts here and the input ends before its closing ')"),
        // bad escapes are rejected
        row("a = 'x\\x4'", 1, 7, "truncated \\xhh escape: expected 2 hex digits"),
        row("a = '\\u12'", 1, 6, "truncated \\uxxxx escape: expected 4 hex digits"),
        row("a = '\\U00110000'", 1, 6, "illegal Unicode character in \\U escape: U+110000"),
        row("a = '\\N{NO SUCH CHARACTER}'", 1, 6, "unknown Unicode character name in \\N{NO SUCH CHARACTER}"),
        // bad numbers are rejected
        row("x = 1__0", 1, 5, "invalid number literal '1__0': digits may be separated by single underscores only"),
        row("x = 1_", 1, 5, "invalid number literal '1_': digits may be separated by single underscores only"),
        row("x = 1e", 1, 5, "invalid number literal '1e'"),
        row("x = 1.2.3", 1, 5, "invalid number literal '1.2.3'"),
        row("x = 12abc", 1, 5, "invalid number literal '12abc'"),
        row("x = 0x", 1, 5, "invalid number literal '0x': no digits after the base prefix"),
        row("x = 0b102", 1, 5, "invalid number literal '0b102': '2' is not a base-2 digit"),
        row("x = 012", 1, 5, "invalid number literal '012': leading zeros in decimal integer literals" + " are not permitted; use an 0o prefix for octal integers"),
        row("x = 3j", 1, 5, "complex numbers are not supported: 3j"),
        row("x = 9223372036854775808", 1, 5, "integer 9223372036854775808 does not fit a 64-bit signed integer"),
        row("x = -9223372036854775809", 1, 6, "integer -9223372036854775809 does not fit a 64-bit signed integer")
    );
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("rejections")
  void rejectionNamesTheReasonLineAndColumn(String source, int line, int column, String message) {
    assertAt(fail(source), line, column, message);
  }

  @Test
  void expressionMustBeOneDict() {
    ConfigException list = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.fromPythonExpression("[1, 2]", "case:config_repr"));
    assertThat(list).hasMessage("case:config_repr: expected a dict literal (dict(...) or {...}); got a list");
    ConfigException two = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.fromPythonExpression("dict(a=1) dict(b=2)", "e"));
    assertThat(two).hasMessage("e:1:11: expected the end of the input after one literal, got name 'dict'"
        + " (line 1, column 11)");
    ConfigException name = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.fromPythonExpression("dict(a=infinity)", "e"));
    assertThat(name.getMessage()).startsWith("e:1:8: unknown name 'infinity'");
  }

  @Test
  void reprSpellingsOfInfAndNanAreFloats() {
    Config c = ConfigLoader.fromPythonExpression("{'max_dis': inf, 'low': -inf, 'x': nan}", "repr");
    assertThat(c.getDouble("max_dis")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(c.getDouble("low")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(c.getDouble("x")).isNaN();
  }
}
