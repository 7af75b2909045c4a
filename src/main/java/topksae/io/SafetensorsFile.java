package topksae.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file: named tensors (in file order when read), the optional
 * free-form string metadata stored under the header's {@code __metadata__} key, and the file it
 * was read from (empty when built in memory), which errors name. The one codec of the project:
 * models, checkpoints, imports and exports all go through {@link SafetensorsReader} (strict: every
 * header field is checked against the file's size before anything is allocated) and
 * {@link SafetensorsWriter}; {@link HadoopSafetensors} opens files on any Hadoop file system.
 */
public record SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata, String source) {

    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        source = source == null ? "" : source;
    }

    public SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this(tensors, metadata, "");
    }

    public static SafetensorsFile read(Path file) throws IOException {
        return SafetensorsReader.read(file);
    }

    /** Reads a whole file of {@code size} bytes from a stream; {@code name} is the file named in errors. */
    public static SafetensorsFile read(String name, InputStream in, long size) throws IOException {
        return SafetensorsReader.read(name, in, size);
    }

    /** Writes to a temporary file beside {@code file}, then renames it into place. */
    public void write(Path file) throws IOException {
        SafetensorsWriter.write(file, this);
    }

    /** Writes the file's bytes to {@code out} (not closed); returns the number of bytes written. */
    public long write(OutputStream out) throws IOException {
        return SafetensorsWriter.write(out, this);
    }

    /** The tensor called {@code name}, or an error naming the file and listing the names it has. */
    public Tensor require(String name) throws MalformedSafetensorsException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new MalformedSafetensorsException(
                    prefix() + "missing tensor '" + name + "' (file has " + tensors.keySet() + ")");
        }
        return t;
    }

    /** The metadata value {@code key}, or an error naming the file. */
    public String requireMetadata(String key) throws MalformedSafetensorsException {
        String v = metadata.get(key);
        if (v == null) {
            throw new MalformedSafetensorsException(
                    prefix() + "missing metadata '" + key + "' (file has " + metadata.keySet() + ")");
        }
        return v;
    }

    private String prefix() {
        return source.isEmpty() ? "" : source + ": ";
    }
}
