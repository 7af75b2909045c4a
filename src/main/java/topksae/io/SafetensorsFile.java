package topksae.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file: named tensors (in file order when read) and the optional
 * free-form string metadata stored under the header's {@code __metadata__} key.
 */
public record SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {

    public SafetensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public static SafetensorsFile read(Path file) throws IOException {
        return SafetensorsReader.read(file);
    }

    public void write(Path file) throws IOException {
        SafetensorsWriter.write(file, this);
    }

    /** The tensor called {@code name}, or an error listing the names the file has. */
    public Tensor require(String name) throws MalformedSafetensorsException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new MalformedSafetensorsException("missing tensor '" + name + "' (file has "
                    + tensors.keySet() + ")");
        }
        return t;
    }
}
