package dev.wiretap.config.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads YAML into {@link ConfigNode}s that remember their line, with Jackson's streaming YAML parser (a tree from
 * Jackson's object mapper would forget where each value was written). Duplicate keys are refused. Thread-safe.
 */
public final class YamlReader {

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private YamlReader() {
    }

    /** Reads a whole file; an empty file is an empty mapping. */
    public static ConfigNode read(Path file) throws ConfigError {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigError(file.toString(), "", "no such file");
        } catch (IOException e) {
            throw new ConfigError(file.toString(), "", "cannot be read: " + e.getMessage());
        }
        return read(text, file.getFileName().toString());
    }

    /** Reads YAML text; {@code source} names it in messages (a file name, or the flag it came from). */
    public static ConfigNode read(String text, String source) throws ConfigError {
        try (Reader reader = new StringReader(text); JsonParser parser = FACTORY.createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new ConfigNode.Mapping(source + ":1", 1, new LinkedHashMap<>());
            }
            return node(parser, source);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String line = at == null || at.getLineNr() < 1 ? "" : ":" + at.getLineNr();
            throw new ConfigError(source + line, "", "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigError(source, "", "cannot be read: " + e.getMessage());
        }
    }

    private static ConfigNode node(JsonParser parser, String source) throws IOException, ConfigError {
        JsonLocation at = parser.currentTokenLocation();
        String where = source + ":" + at.getLineNr();
        int column = at.getColumnNr();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                LinkedHashMap<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    JsonLocation keyAt = parser.currentTokenLocation();
                    String key = parser.currentName();
                    String keyWhere = source + ":" + keyAt.getLineNr();
                    parser.nextToken();
                    ConfigNode value = node(parser, source);
                    if (entries.containsKey(key)) {
                        throw new ConfigError(keyWhere, key, "given twice (first at " + entries.get(key).where() + ")");
                    }
                    entries.put(key, new ConfigNode.Entry(key, keyWhere, keyAt.getColumnNr(), value));
                }
                return new ConfigNode.Mapping(where, column, entries);
            }
            case START_ARRAY -> {
                List<ConfigNode> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(node(parser, source));
                }
                return new ConfigNode.Sequence(where, column, items);
            }
            case VALUE_NULL -> {
                return new ConfigNode.Scalar(where, column, null);
            }
            default -> {
                return new ConfigNode.Scalar(where, column, parser.getText());
            }
        }
    }
}
