package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The Python expressions a config file may use give exactly what CPython gives: each expected
 * value below is CPython 3's {@code repr(eval(expr))}, compared type for type and bit for bit.
 */
class PythonExpressionTest {
  static List<String[]> cases() {
    return List.of(new String[][] {
      {"1.0 / 9.0", "0.1111111111111111"},
      {"1. / 3", "0.3333333333333333"},
      {"7 / 2", "3.5"},
      {"-7 / 2", "-3.5"},
      {"7 // 2", "3"},
      {"-7 // 2", "-4"},
      {"7 // -2", "-4"},
      {"-7 % 3", "2"},
      {"7 % -3", "-2"},
      {"-7.5 % 2", "0.5"},
      {"7.5 % -2", "-0.5"},
      {"-7.5 // 2", "-4.0"},
      {"0.0 % -1", "-0.0"},
      {"-0.0 // 1", "-0.0"},
      {"5 % 2.5", "0.0"},
      {"1e308 * 10", "inf"},
      {"-1e308 * 10", "-inf"},
      {"1 + 2 * 3 - 4 // 3 % 2", "6"},
      {"(1 + 2) * 3", "9"},
      {"-(-3)", "3"},
      {"+-+2", "-2"},
      {"- 2.5", "-2.5"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"9007199254740993 / 1", "9007199254740992.0"},
      {"9007199254740993 / 3", "3002399751580331.0"},
      {"-9223372036854775807 / 10", "-9.223372036854776e+17"},
      {"9223372036854775807 / 9223372036854775806", "1.0"},
      {"123456789012345678 / 987654321", "124999998.8734375"},
      {"1 / 3 * 3", "1.0"},
      {"0.1 + 0.2", "0.30000000000000004"},
      {"3 - 3.0", "0.0"},
      {"0 / -5", "-0.0"},
      {"-0.0 + 0.0", "0.0"},
      {"10 // 0.3", "33.0"},
      {"1e-320 / 3", "3.335e-321"},
      {"'a' + 'b'", "'ab'"},
      {"'ab' * 3", "'ababab'"},
      {"3 * 'ab'", "'ababab'"},
      {"'ab' * -1", "''"},
      {"[1, 2] + [3]", "[1, 2, 3]"},
      {"(1, 2) + (3,)", "(1, 2, 3)"},
      {"(1,) * 3", "(1, 1, 1)"},
      {"2 * [0, 1]", "[0, 1, 0, 1]"},
      {"[1] * 0", "[]"},
      {"()*5", "()"},
      {"'abc'[-1]", "'c'"},
      {"'abc'[0]", "'a'"},
      {"[1, [2, 3]][1][0]", "2"},
      {"dict(a=1, b=(2, 3))['b'][-1]", "3"},
      {"{'k': 1.5}['k'] * 2", "3.0"},
      {"'\\U0001F600x'[1]", "'x'"},
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluatesAsCPython(String expr, String pythonRepr) {
    Config got = ConfigLoader.fromPython("x = " + expr + "\n", "e.py");
    Config want = ConfigLoader.fromPython("x = " + pythonRepr + "\n", "want.py");
    assertThat(ConfigTrees.firstDifference(got, want, "")).as(expr).isNull();
  }

  @Test
  void mmdetectionIdiomsRead() {
    Config c = ConfigLoader.fromPython("""
        data_root = 'data/coco/'
        img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
        train_pipeline = [dict(type='Normalize', **img_norm_cfg), dict(type='Pad', size_divisor=32)]
        data = dict(train=dict(ann_file=data_root + 'annotations/train.json', mean=img_norm_cfg['mean']))
        loss_bbox = dict(type='SmoothL1Loss', beta=1.0 / 9.0, loss_weight=1.0)
        paramwise = dict(custom_keys={'head': dict(lr_mult=1. / 3)}, **{'norm_decay_mult': 0.})
        merged = {**dict(a=1, b=2), 'a': 3, 'c': 4}
        """, "idioms.py");
    assertThat(c.getList("train_pipeline").get(0).toString())
        .isEqualTo("dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)");
    assertThat(c.getConfig("data").getConfig("train").getString("ann_file")).isEqualTo("data/coco/annotations/train.json");
    assertThat(c.getConfig("data").getConfig("train").getDoubleArray("mean")).containsExactly(123.675, 116.28, 103.53);
    assertThat(c.getConfig("loss_bbox").get("beta")).isEqualTo(1.0 / 9.0);
    assertThat(c.getConfig("paramwise").keys()).containsExactly("custom_keys", "norm_decay_mult");
    assertThat(c.getConfig("merged").toString()).isEqualTo("dict(a=3, b=2, c=4)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "x = 1 / 0|1|7|ZeroDivisionError: division by zero",
      "x = 1 // 0|1|7|ZeroDivisionError: integer division or modulo by zero",
      "x = 1.5 % 0|1|9|ZeroDivisionError: float modulo",
      "x = 9223372036854775807 + 1|1|25|the int result of 9223372036854775807 + 1 does not fit a 64-bit signed integer",
      "x = -9223372036854775808 // -1|1|26|the int result of -9223372036854775808 // -1 does not fit a 64-bit signed integer",
      "x = True + 1|1|10|True/False cannot be an operand of '+' (Python would count them as 1 and 0)",
      "x = 'a' + 1|1|9|unsupported operand types for +: str and int",
      "x = [1] + (2,)|1|9|unsupported operand types for +: list and tuple",
      "x = [1] * 2.0|1|9|unsupported operand types for *: list and float",
      "x = None - 1|1|10|unsupported operand types for -: NoneType and int",
      "x = 'a%s' % 1|1|11|string formatting with '%' is not supported (it is code); write the string out",
      "x = dict(a=1)['b']|1|14|KeyError: 'b' is not a key of the dict (keys: a)",
      "x = [1, 2][2]|1|11|IndexError: index 2 is out of range for a list of 2 items",
      "x = (1,)[-2]|1|9|IndexError: index -2 is out of range for a tuple of 1 items",
      "x = [1]['a']|1|8|list indices must be integers; got str",
      "x = 3[0]|1|6|a value of type int is not subscriptable",
      "x = dict(**[1])|1|10|'**' needs a dict (a mapping); got list",
      "x = dict(a=1)\\ny = dict(a=2, **x)|2|15|dict() got multiple values for keyword argument 'a'",
  })
  void pythonErrorsAreConfigExceptionsWithTheirPosition(String source, int line, int column, String message) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.fromPython(source.replace("\\n", "\n"), "e.py"));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).isEqualTo("e.py:" + line + ":" + column + ": " + message + " (line " + line
        + ", column " + column + ")");
  }

  @Test
  void repetitionIsBoundedBeforeAllocating() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.fromPython("x = [0] * 9223372036854775807\n", "big.py"));
    assertThat(e.getMessage()).contains("more than " + ConfigLoader.MAX_VALUES);
    e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromPython("x = 'ab' * 600000\n", "big.py"));
    assertThat(e.getMessage()).contains("1200000 items or characters, more than " + ConfigLoader.MAX_STRING_LENGTH);
  }

  @Test
  void literalReadersStayLiteral() {
    // --cfg-options values are mmcv's: '1-2' is a string there, not -1.
    assertThat(ConfigOverrides.parseValue("1-2")).isEqualTo("1-2");
    assertThat(ConfigOverrides.parseValue("0.01*2")).isEqualTo("0.01*2");
    assertThat(catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.fromPythonExpression("dict(a=1 + 2)", "expr")).getMessage())
        .contains("got the operator '+'");
  }
}
