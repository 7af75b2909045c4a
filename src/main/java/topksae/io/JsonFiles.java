package topksae.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** cfg.json reading and writing with messages that name the file and the key. */
final class JsonFiles {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFiles() {}

    static ObjectNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new MalformedSafetensorsException("missing config file " + file);
        }
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedSafetensorsException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) {
            throw new MalformedSafetensorsException(file + " is not a JSON object");
        }
        return o;
    }

    static void write(Path file, ObjectNode cfg) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, JSON.writeValueAsString(cfg) + "\n", StandardCharsets.UTF_8);
    }

    static int positiveInt(ObjectNode cfg, String key, Path file) throws MalformedSafetensorsException {
        JsonNode v = cfg.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() <= 0) {
            throw new MalformedSafetensorsException(file + ": '" + key + "' must be a positive integer, got " + v);
        }
        return v.intValue();
    }

    /** The string at {@code key}, or {@code dflt} when absent. */
    static String text(ObjectNode cfg, String key, String dflt) {
        JsonNode v = cfg.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    static boolean bool(ObjectNode cfg, String key, boolean dflt, Path file) throws MalformedSafetensorsException {
        JsonNode v = cfg.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new MalformedSafetensorsException(file + ": '" + key + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }
}
