package io.detkit.core.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Python's semantics for the few operators MMDetection configs use: {@code + - * / // %} and unary
 * {@code - +} on ints ({@link Long}) and floats ({@link Double}), {@code +} on two strings, two
 * lists or two tuples, {@code *} of a string, list or tuple by an int, and subscripts with a key or
 * an index.
 *
 * <p>Results are Python's, bit for bit: an int op int stays an int ({@code 7 // 2 == 3}), true
 * division always gives a float rounded once from the exact quotient ({@code int / int} as CPython's
 * {@code long_true_divide}), floor division and modulo take the sign of the divisor, mixing an int
 * with a float converts the int first, a float overflow gives an infinity as in Python. Where Python
 * raises, or where an int result leaves the 64-bit range configs hold, the caller gets the message
 * through {@code error}. {@code True}/{@code False} are refused as numbers (Python would treat them
 * as 1 and 0, which in a config is always a mistake worth naming).
 */
final class PyOperators {
  private static final long EXACT_DOUBLE = 1L << 53;

  private PyOperators() {}

  /** The Python type name of a config value, for messages. */
  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof BaseRef r) {
      return "{{_base_." + r.path() + "}}";
    }
    if (v instanceof PyTuple) {
      return "tuple";
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    return v instanceof Long ? "int" : "float";
  }

  private static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double;
  }

  /**
   * {@code a op b} for {@code op} one of {@code + - * / // %}.
   *
   * @param maxItems the most items a list or tuple result may have, and the longest string
   */
  static Object binary(String op, Object a, Object b, long maxItems, Function<String, ConfigException> error) {
    refuseSpecial(op, a, error);
    refuseSpecial(op, b, error);
    if (isNumber(a) && isNumber(b)) {
      return a instanceof Long x && b instanceof Long y ? ints(op, x, y, error)
          : floats(op, ((Number) a).doubleValue(), ((Number) b).doubleValue(), error);
    }
    if (op.equals("+")) {
      if (a instanceof String s && b instanceof String t) {
        checkLength((long) s.length() + t.length(), maxItems, error);
        return s + t;
      }
      if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
        checkLength((long) x.size() + y.size(), maxItems, error);
        List<Object> out = new ArrayList<>(x.size() + y.size());
        out.addAll(x);
        out.addAll(y);
        return a instanceof PyTuple ? PyTuple.of(out) : out;
      }
    }
    if (op.equals("*")) {
      if (b instanceof Long n && (a instanceof String || a instanceof List)) {
        return repeat(a, n, maxItems, error);
      }
      if (a instanceof Long n && (b instanceof String || b instanceof List)) {
        return repeat(b, n, maxItems, error);
      }
    }
    if (op.equals("%") && a instanceof String) {
      throw error.apply("string formatting with '%' is not supported (it is code); write the string out");
    }
    throw error.apply("unsupported operand types for " + op + ": " + typeName(a) + " and " + typeName(b));
  }

  private static void refuseSpecial(String op, Object v, Function<String, ConfigException> error) {
    if (v instanceof BaseRef r) {
      throw error.apply(baseRefOperand(r));
    }
    if (v instanceof Boolean) {
      throw error.apply("True/False cannot be an operand of '" + op + "' (Python would count them as 1 and 0)");
    }
  }

  private static String baseRefOperand(BaseRef r) {
    return "{{_base_." + r.path() + "}} cannot be an operand: mmcv replaces it by the base's value only after"
        + " the file is evaluated, so it stands for a whole value";
  }

  private static void checkLength(long n, long max, Function<String, ConfigException> error) {
    if (n > max) {
      throw error.apply("the result would have " + n + " items or characters, more than " + max
          + " (ConfigLoader.MAX_VALUES / MAX_STRING_LENGTH)");
    }
  }

  private static Object repeat(Object seq, long n, long maxItems, Function<String, ConfigException> error) {
    long count = Math.max(0, n);
    if (seq instanceof String s) {
      long len = s.isEmpty() || count == 0 ? 0 : count > maxItems ? Long.MAX_VALUE : s.length() * count;
      checkLength(len, maxItems, error);
      return s.repeat((int) count);
    }
    List<?> list = (List<?>) seq;
    long len = list.isEmpty() || count == 0 ? 0 : count > maxItems ? Long.MAX_VALUE : list.size() * count;
    checkLength(len, maxItems, error);
    List<Object> out = new ArrayList<>((int) len);
    for (long i = 0; i < count; i++) {
      out.addAll(list);
    }
    return seq instanceof PyTuple ? PyTuple.of(out) : out;
  }

  private static long ints(String op, long x, long y, Function<String, ConfigException> error) {
    try {
      return switch (op) {
        case "+" -> Math.addExact(x, y);
        case "-" -> Math.subtractExact(x, y);
        case "*" -> Math.multiplyExact(x, y);
        case "//" -> {
          zero(y == 0, "integer division or modulo by zero", error);
          if (x == Long.MIN_VALUE && y == -1) {
            throw new ArithmeticException();
          }
          yield Math.floorDiv(x, y);
        }
        case "%" -> {
          zero(y == 0, "integer division or modulo by zero", error);
          yield Math.floorMod(x, y);
        }
        default -> throw new IllegalStateException(op);
      };
    } catch (ArithmeticException e) {
      throw error.apply("the int result of " + x + " " + op + " " + y + " does not fit a 64-bit signed integer");
    }
  }

  /** Python's {@code int / int}: the exact quotient rounded once to the nearest double. */
  private static Object trueDivide(long x, long y, Function<String, ConfigException> error) {
    zero(y == 0, "division by zero", error);
    if (Math.abs(x) <= EXACT_DOUBLE && Math.abs(y) <= EXACT_DOUBLE && x != Long.MIN_VALUE && y != Long.MIN_VALUE) {
      return (double) x / (double) y;
    }
    BigInteger a = BigInteger.valueOf(x).abs();
    BigInteger b = BigInteger.valueOf(y).abs();
    // Scale so the integer quotient has at least 55 bits, fold the remainder into a sticky low bit,
    // and let BigInteger.doubleValue's round-half-even do the single rounding.
    int shift = Math.max(0, 55 + b.bitLength() - a.bitLength());
    BigInteger[] qr = a.shiftLeft(shift).divideAndRemainder(b);
    BigInteger q = qr[1].signum() == 0 ? qr[0] : qr[0].setBit(0);
    double d = Math.scalb(q.doubleValue(), -shift);
    return (x < 0) != (y < 0) ? -d : d;
  }

  private static Object ints(String op, Long x, Long y, Function<String, ConfigException> error) {
    return op.equals("/") ? trueDivide(x, y, error) : (Object) ints(op, (long) x, (long) y, error);
  }

  private static double floats(String op, double x, double y, Function<String, ConfigException> error) {
    switch (op) {
      case "+":
        return x + y;
      case "-":
        return x - y;
      case "*":
        return x * y;
      case "/":
        zero(y == 0, "float division by zero", error);
        return x / y;
      case "%": {
        zero(y == 0, "float modulo", error);
        double mod = x % y;
        if (mod != 0) {
          if ((y < 0) != (mod < 0)) {
            mod += y;
          }
        } else {
          mod = Math.copySign(0.0, y);
        }
        return mod;
      }
      case "//": {
        zero(y == 0, "float floor division by zero", error);
        // CPython's float_divmod, step by step, so every sign and rounding case matches.
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0) {
          if ((y < 0) != (mod < 0)) {
            div -= 1.0;
          }
        }
        double floordiv;
        if (div != 0) {
          floordiv = Math.floor(div);
          if (div - floordiv > 0.5) {
            floordiv += 1.0;
          }
        } else {
          floordiv = Math.copySign(0.0, x / y);
        }
        return floordiv;
      }
      default:
        throw new IllegalStateException(op);
    }
  }

  private static void zero(boolean isZero, String message, Function<String, ConfigException> error) {
    if (isZero) {
      throw error.apply("ZeroDivisionError: " + message);
    }
  }

  /** Unary {@code -v} or {@code +v} on a number. */
  static Object unary(String op, Object v, Function<String, ConfigException> error) {
    refuseSpecial(op, v, error);
    if (v instanceof Long l) {
      if (op.equals("+")) {
        return l;
      }
      if (l == Long.MIN_VALUE) {
        throw error.apply("the int result of -(" + l + ") does not fit a 64-bit signed integer");
      }
      return -l;
    }
    if (v instanceof Double d) {
      return op.equals("+") ? d : -d;
    }
    throw error.apply("bad operand type for unary " + op + ": " + typeName(v));
  }

  /** {@code container[key]}: a dict by a string key, a list, tuple or string by an int index. */
  static Object subscript(Object container, Object key, Function<String, ConfigException> error) {
    if (container instanceof BaseRef r) {
      throw error.apply(baseRefOperand(r).replace("an operand", "subscripted"));
    }
    if (container instanceof Map<?, ?> m) {
      if (!(key instanceof String) || !m.containsKey(key)) {
        throw error.apply("KeyError: " + Config.describe(key) + " is not a key of the dict (keys: "
            + PyLexer.abbreviate(String.join(", ", keysOf(m)), 200) + ")");
      }
      return m.get(key);
    }
    if (container instanceof String || container instanceof List) {
      if (!(key instanceof Long index)) {
        throw error.apply(typeName(container) + " indices must be integers; got " + typeName(key));
      }
      // Python indexes a str by code point, not by UTF-16 unit.
      int size = container instanceof String s ? s.codePointCount(0, s.length()) : ((List<?>) container).size();
      long i = index < 0 ? index + size : index;
      if (i < 0 || i >= size) {
        throw error.apply("IndexError: index " + index + " is out of range for a " + typeName(container) + " of "
            + size + " items");
      }
      if (container instanceof String s) {
        return new String(Character.toChars(s.codePointAt(s.offsetByCodePoints(0, (int) i))));
      }
      return ((List<?>) container).get((int) i);
    }
    throw error.apply("a value of type " + typeName(container) + " is not subscriptable");
  }

  private static List<String> keysOf(Map<?, ?> m) {
    List<String> out = new ArrayList<>();
    m.keySet().forEach(k -> out.add(String.valueOf(k)));
    return Collections.unmodifiableList(out);
  }
}
