package topksae.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files laid out as the reference implementation does: tensors ordered by
 * descending dtype alignment then name, compact JSON header with {@code __metadata__} first,
 * padded with spaces to a multiple of 8 bytes. Writes to a temporary file then renames it.
 */
final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    static void write(Path file, SafetensorsFile content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            write(out, content);
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) { // e.g. some FUSE mounts
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes the whole file to {@code out} (left open); returns the bytes written. */
    static long write(OutputStream out, SafetensorsFile content) throws IOException {
        List<Map.Entry<String, Tensor>> order =
                new ArrayList<>(content.tensors().entrySet());
        order.sort(Comparator.comparing(
                        (Map.Entry<String, Tensor> e) -> e.getValue().dtype().ordinal())
                .reversed()
                .thenComparing(Map.Entry::getKey));
        byte[] header = header(order, content.metadata());
        out.write(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .array());
        out.write(header);
        long n = 8L + header.length;
        for (Map.Entry<String, Tensor> e : order) {
            byte[] data = e.getValue().data();
            out.write(data);
            n += data.length;
        }
        out.flush();
        return n;
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> order, Map<String, String> metadata)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved, not a tensor name");
            }
            Tensor t = e.getValue();
            ObjectNode info = root.putObject(e.getKey());
            info.put("dtype", t.dtype().name());
            ArrayNode shape = info.putArray("shape");
            Arrays.stream(t.shape()).forEach(shape::add);
            long end = offset + t.data().length;
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
