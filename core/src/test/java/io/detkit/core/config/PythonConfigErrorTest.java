package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.detkit.core.config.Config;
import org.junit.jupiter.api.Test;

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

  @Test
  void importDunderCallIsRejectedNamingTheCallee() {
    assertAt(fail("x = 1\nos = __import__('os')\n"), 2, 6,
        "only literals and dict(...) are allowed; got a call to '__import__'");
  }

  @Test
  void otherCallsAreRejected() {
    assertAt(fail("model = dict(norm=list((1, 2)))"), 1, 19,
        "only literals and dict(...) are allowed; got a call to 'list'");
    assertAt(fail("x = dict(a=1)(2)"), 1, 14, "only literals and dict(...) are allowed; got a call");
    assertAt(fail("x = float('inf')"), 1, 5, "only literals and dict(...) are allowed; got a call to 'float'");
  }

  @Test
  void attributeAccessIsRejected() {
    assertAt(fail("x = os.path.join"), 1, 5,
        "only literals and dict(...) are allowed; got attribute access 'os.path.join'");
    assertAt(fail("x = 'a'.upper()"), 1, 8, "only literals and dict(...) are allowed; got attribute access '.upper'");
  }

  @Test
  void slicesAndComputedSubscriptsAreRejected() {
    assertAt(fail("a = [1]\nb = a[0:1]"), 2, 8,
        "only literals and dict(...) are allowed; got a slice; only a literal key or index can be subscripted");
    assertAt(fail("a = [1]\ni = 0\nb = a[i]"), 3, 7, "a subscript takes a literal key or index ('name' or 3); got name 'i'");
  }

  @Test
  void operatorsAreRejected() {
    assertAt(fail("x = 1 < 2"), 1, 7, "only literals and dict(...) are allowed; got the operator '<'");
    assertAt(fail("x = [2 ** 10]"), 1, 8, "only literals and dict(...) are allowed; got the operator '**'");
    assertAt(fail("x = -'y'"), 1, 5, "bad operand type for unary -: str");
    assertAt(fail("x = not True"), 1, 5, "only literals and dict(...) are allowed; got the operator 'not'");
    assertAt(fail("x = 1 if True else 2"), 1, 7,
        "only literals and dict(...) are allowed; got a conditional expression (... if ... else ...)");
    assertAt(fail("x = [i for i in y]"), 1, 8, "only literals and dict(...) are allowed; got a comprehension");
    assertAt(fail("x += 1"), 1, 3, "only literals and dict(...) are allowed; got the augmented assignment '+='");
    assertAt(fail("x = dict(*base)"), 1, 10,
        "only literals and dict(...) are allowed; got '*' unpacking in dict(...)");
    assertAt(fail("x = [*[1]]"), 1, 6, "only literals and dict(...) are allowed; got '*' unpacking");
  }

  @Test
  void lambdasAndFStringsAreRejected() {
    assertAt(fail("f = lambda: 1"), 1, 5, "only literals and dict(...) are allowed; got a lambda");
    assertAt(fail("s = f'{x}'"), 1, 5,
        "only literals and dict(...) are allowed; got an f-string (formatted strings are code)");
    assertAt(fail("s = 'a' rf'{x}'"), 1, 9,
        "only literals and dict(...) are allowed; got an f-string (formatted strings are code)");
    assertAt(fail("b = b'raw'"), 1, 5, "bytes literals are not supported; use a str");
  }

  @Test
  void statementsOtherThanAssignmentsAreRejected() {
    assertAt(fail("import os"), 1, 1,
        "only top-level assignments 'name = <literal>' are allowed; got an import statement");
    assertAt(fail("a = 1\nfrom os import system"), 2, 1,
        "only top-level assignments 'name = <literal>' are allowed; got an import statement");
    assertAt(fail("def f():\n    pass"), 1, 1,
        "only top-level assignments 'name = <literal>' are allowed; got a 'def' statement");
    assertAt(fail("if True:\n    x = 1"), 1, 1,
        "only top-level assignments 'name = <literal>' are allowed; got an 'if' statement");
    assertAt(fail("print('x')"), 1, 1, "only literals and dict(...) are allowed; got a call to 'print'");
    assertAt(fail("x = 1\nx"), 2, 1, "only top-level assignments 'name = <literal>' are allowed; got a bare expression");
    assertAt(fail("a = b = 1"), 1, 5, "unknown name 'b': a bare name must refer to an earlier top-level assignment"
        + " (none so far)");
    assertAt(fail("a = 1\nb = a = 2"), 2, 7,
        "chained assignment (a = b = ...) is not supported; assign one name per statement");
    assertAt(fail("a, b = 1, 2"), 1, 2,
        "unpacking assignments (a, b = ...) are not supported; assign one name per statement");
    assertAt(fail("a: int = 1"), 1, 2, "annotated assignments (name: type = value) are not supported");
    assertAt(fail("True = 1"), 1, 1, "cannot assign to the keyword 'True'");
    assertAt(fail("'a' = 1"), 1, 1, "only a plain name can be assigned at the top level");
    assertAt(fail("dict = 1"), 1, 1, "cannot assign to 'dict': dict(...) literals rely on the built-in name");
    assertAt(fail("a = 1\n  b = 2"), 2, 3, "unexpected indent: a top-level statement must start in column 1");
  }

  @Test
  void unknownNameListsTheDefinedOnes() {
    assertAt(fail("train_cfg = dict()\ntest_cfg = None\nmodel = dict(train_cfg=train_cfg, x=valid_cfg)"), 3, 37,
        "unknown name 'valid_cfg': a bare name must refer to an earlier top-level assignment"
            + " (defined so far: train_cfg, test_cfg)");
    assertAt(fail("model = dict(train_cfg=train_cfg)\ntrain_cfg = dict()"), 1, 24,
        "unknown name 'train_cfg': a bare name must refer to an earlier top-level assignment (none so far)");
  }

  @Test
  void syntaxErrorsReportLineAndColumn() {
    assertAt(fail("x = dict(a=1 b=2)"), 1, 14, "expected ',' or ')', got name 'b'");
    assertAt(fail("x = [1, 2\ny = 3"), 2, 1, "expected ',' or ']', got name 'y'");
    assertAt(fail("x = {'a' 1}"), 1, 10, "expected ':', got number 1");
    assertAt(fail("x ="), 1, 4, "expected a value, got the end of the input");
    assertAt(fail("x = \ny = 1"), 1, 5, "expected a value, got the end of the line");
    assertAt(fail("x = dict(\n  a=[1,\n"), 3, 1,
        "unexpected end of input: '[' opened at line 2, column 5 is never closed");
    assertAt(fail("x = dict(a=1"), 1, 13, "unexpected end of input: '(' opened at line 1, column 9 is never closed");
    assertAt(fail("x = 1 2"), 1, 7, "expected the end of the line, got number 2");
    assertAt(fail("x = $"), 1, 5, "unexpected character '$'");
    assertAt(fail("x = dict(1)"), 1, 10, "dict(...) takes keyword arguments only (key=value); got number 1");
    assertAt(fail("x = dict(a=1, a=2)"), 1, 15, "keyword argument repeated in dict(...): 'a'");
    assertAt(fail("x = dict(class=1)"), 1, 10,
        "'class' is a Python keyword and cannot be a keyword argument; write {'class': ...} instead");
    assertAt(fail("x = {1: 'a'}"), 1, 6, "dict keys must be strings; got 1");
    assertAt(fail("x = {'a', 'b'}"), 1, 5, "set literals are not supported (a config holds dicts, lists and tuples)");
    assertAt(fail("x = [*y]"), 1, 6, "only literals and dict(...) are allowed; got '*' unpacking");
    assertAt(fail("x = ..."), 1, 5, "only literals and dict(...) are allowed; got '...' (Ellipsis)");
    assertAt(fail("x = if"), 1, 5, "expected a value, got the keyword 'if'");
  }

  @Test
  void unterminatedStringsReportWhereTheyStart() {
    assertAt(fail("a = 1\nb = 'abc\nc = 2"), 2, 5,
        "unterminated string literal (the line ends before its closing ')");
    assertAt(fail("a = \"abc"), 1, 5,
        "unterminated string literal (it starts here and the input ends before its closing \")");
    assertAt(fail("a = '''abc\n\n"), 1, 5,
        "unterminated triple-quoted string literal (it starts here and the input ends before its closing ')");
    assertAt(fail("a = r'\\'"), 1, 5,
        "unterminated string literal (it starts here and the input ends before its closing ')");
  }

  @Test
  void badEscapesAreRejected() {
    assertAt(fail("a = 'x\\x4'"), 1, 7, "truncated \\xhh escape: expected 2 hex digits");
    assertAt(fail("a = '\\u12'"), 1, 6, "truncated \\uxxxx escape: expected 4 hex digits");
    assertAt(fail("a = '\\U00110000'"), 1, 6, "illegal Unicode character in \\U escape: U+110000");
    assertAt(fail("a = '\\N{NO SUCH CHARACTER}'"), 1, 6, "unknown Unicode character name in \\N{NO SUCH CHARACTER}");
  }

  @Test
  void badNumbersAreRejected() {
    assertAt(fail("x = 1__0"), 1, 5, "invalid number literal '1__0': digits may be separated by single underscores only");
    assertAt(fail("x = 1_"), 1, 5, "invalid number literal '1_': digits may be separated by single underscores only");
    assertAt(fail("x = 1e"), 1, 5, "invalid number literal '1e'");
    assertAt(fail("x = 1.2.3"), 1, 5, "invalid number literal '1.2.3'");
    assertAt(fail("x = 12abc"), 1, 5, "invalid number literal '12abc'");
    assertAt(fail("x = 0x"), 1, 5, "invalid number literal '0x': no digits after the base prefix");
    assertAt(fail("x = 0b102"), 1, 5, "invalid number literal '0b102': '2' is not a base-2 digit");
    assertAt(fail("x = 012"), 1, 5, "invalid number literal '012': leading zeros in decimal integer literals"
        + " are not permitted; use an 0o prefix for octal integers");
    assertAt(fail("x = 3j"), 1, 5, "complex numbers are not supported: 3j");
    assertAt(fail("x = 9223372036854775808"), 1, 5, "integer 9223372036854775808 does not fit a 64-bit signed integer");
    assertAt(fail("x = -9223372036854775809"), 1, 6,
        "integer -9223372036854775809 does not fit a 64-bit signed integer");
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
