package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigLoader#fromFile}: format by extension, and file-level failures naming the path. */
class ConfigFileTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void readsEachFormatByExtension() throws IOException {
    Config expected = Config.of("loss", Config.of("type", "FocalLoss", "gamma", 2.0, "num", 3));
    assertThat(ConfigLoader.fromFile(write("a.py", "loss = dict(type='FocalLoss', gamma=2.0, num=3)\n")))
        .isEqualTo(expected);
    assertThat(ConfigLoader.fromFile(write("a.json", "{\"loss\": {\"type\": \"FocalLoss\", \"gamma\": 2.0, \"num\": 3}}")))
        .isEqualTo(expected);
    assertThat(ConfigLoader.fromFile(write("a.yaml", "loss:\n  type: FocalLoss\n  gamma: 2.0\n  num: 3\n")))
        .isEqualTo(expected);
    assertThat(ConfigLoader.fromFile(write("b.YML", "loss: {type: FocalLoss, gamma: 2.0, num: 3}\n")))
        .isEqualTo(expected);
  }

  @Test
  void syntaxErrorNamesTheFile() throws IOException {
    Path p = write("bad.py", "a = 1\nb = open('x')\n");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(p));
    assertThat(e).hasMessage(p + ":2:5: only literals, dict(...), earlier names, the operators"
        + " + - * / // % and [key] subscripts are allowed; got a call to 'open' (line 2, column 5)");
  }

  @Test
  void missingFileNamesThePath() {
    Path p = dir.resolve("nope.py");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(p));
    assertThat(e).hasMessage("config file not found: " + p);
  }

  @Test
  void unsupportedExtensionDirectoryAndBadEncodingAreRejected() throws IOException {
    Path txt = write("a.txt", "a = 1");
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(txt)))
        .hasMessage("unsupported config file " + txt + ": expected a .py, .json, .yaml or .yml extension; got '.txt'");
    Path sub = Files.createDirectory(dir.resolve("sub.json"));
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(sub)))
        .hasMessage("config file " + sub + " is a directory");
    Path latin1 = Files.write(dir.resolve("l.py"), new byte[] {'a', '=', '\'', (byte) 0xe9, '\''});
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(latin1)).getMessage())
        .startsWith("config file " + latin1 + " is not valid UTF-8");
  }

  @Test
  void oversizedFileIsRejectedBeforeReading() throws IOException {
    Path big = dir.resolve("big.json");
    try (var ch = Files.newByteChannel(big, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.position(ConfigLoader.MAX_SOURCE_SIZE);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {' '}));
    }
    assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.fromFile(big)))
        .hasMessage("config file " + big + " is 16777217 bytes, more than 16777216 (ConfigLoader.MAX_SOURCE_SIZE)");
  }
}
