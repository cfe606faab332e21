package io.prism.snapshotter.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads a settings file ({@code .properties}, the format Kafka Connect uses) for the CLI commands.
 * {@code ${NAME}} in a value is replaced by the environment variable NAME, so secrets can stay out
 * of the file (as the RFC's {@code ${MINIO_SECRET_KEY}}); a missing variable is an error naming the
 * key and the variable.
 */
public final class ConfigFile {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private ConfigFile() {}

  public static Map<String, String> load(Path file) {
    return load(file, System::getenv);
  }

  static Map<String, String> load(Path file, UnaryOperator<String> environment) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("Cannot read config file " + file + ": " + reason(file, e));
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      settings.put(key, expand(key, properties.getProperty(key), environment, file));
    }
    return settings;
  }

  /**
   * Why the file could not be read, in words: the JDK's own messages for the common cases are only
   * the path again ({@code NoSuchFileException: connector.properties}). A relative path is shown
   * resolved, since the commands resolve it against the working directory, not the installation.
   */
  static String reason(Path file, IOException e) {
    String where = file.isAbsolute() ? "" : " (" + file.toAbsolutePath().normalize() + ")";
    if (e instanceof NoSuchFileException) {
      return "no such file" + where;
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied" + where;
    }
    if (Files.isDirectory(file)) {
      return "it is a directory" + where + ", not a .properties file";
    }
    if (e instanceof CharacterCodingException) {
      return "it is not UTF-8 text" + where;
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason() + where;
    }
    return (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + where;
  }

  private static String expand(
      String key, String value, UnaryOperator<String> environment, Path file) {
    Matcher matcher = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String variable = matcher.group(1);
      String replacement = environment.apply(variable);
      if (replacement == null) {
        throw new ConfigException(
            key,
            "${" + variable + "}",
            "environment variable " + variable + " is not set (in " + file + ")");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
