package topksae.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads safetensors files: an 8-byte little-endian header length, a JSON header, then the raw
 * tensor bytes. Nothing in the header is trusted: its length is checked against the file size
 * and a 100 MB cap, offsets must tile the data region exactly, and each byte count must match
 * its shape and dtype.
 */
final class SafetensorsReader {
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafetensorsReader() {}

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    static SafetensorsFile read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in, size);
        }
    }

    /**
     * Reads a whole file of {@code size} bytes from {@code in}, named {@code where} in errors. Never
     * allocates more than {@code size} bytes of tensor data or header, whatever the header claims.
     */
    static SafetensorsFile read(String where, InputStream in, long size) throws IOException {
        DataInputStream data =
                new DataInputStream(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16));
        if (size < 8) {
            throw bad(where, "file has " + size + " bytes, too short for the 8-byte header length");
        }
        long n = readFully(where, data, 8, "the header length").getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw bad(where, "header length " + Long.toUnsignedString(n) + " is outside [2, " + MAX_HEADER_BYTES + "]");
        }
        if (n > size - 8) {
            throw bad(
                    where,
                    "header length " + n + " exceeds the " + (size - 8)
                            + " bytes after the length field (truncated file?)");
        }
        String header = decodeUtf8(where, readFully(where, data, (int) n, "the header"));
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(where, header, metadata);
        validateLayout(where, entries, size - 8 - n);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) { // sorted by offset: one sequential pass, in file order
            byte[] bytes = readFully(where, data, (int) (e.end - e.begin), "tensor '" + e.name + "'")
                    .array();
            tensors.put(e.name, new Tensor(e.dtype, e.shape, bytes));
        }
        if (data.read() >= 0) {
            throw bad(where, "the file is longer than its stated size " + size + " (changed while reading?)");
        }
        return new SafetensorsFile(tensors, metadata, where);
    }

    private static String decodeUtf8(String where, ByteBuffer bytes) throws MalformedSafetensorsException {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
            if (!s.startsWith("{")) {
                throw bad(where, "header does not start with '{'");
            }
            return s;
        } catch (CharacterCodingException e) {
            throw new MalformedSafetensorsException(where + ": header is not valid UTF-8", e);
        }
    }

    private static List<Entry> parseHeader(String where, String header, Map<String, String> metadata)
            throws MalformedSafetensorsException {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedSafetensorsException(where + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof ObjectNode)) {
            throw bad(where, "header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                parseMetadata(where, f.getValue(), metadata);
            } else {
                entries.add(parseEntry(where, f.getKey(), f.getValue()));
            }
        }
        return entries;
    }

    private static void parseMetadata(String where, JsonNode node, Map<String, String> out)
            throws MalformedSafetensorsException {
        if (!node.isObject()) {
            throw bad(where, "__metadata__ is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw bad(where, "__metadata__ value for '" + f.getKey() + "' is not a string");
            }
            out.put(f.getKey(), f.getValue().textValue());
        }
    }

    private static Entry parseEntry(String where, String name, JsonNode node) throws MalformedSafetensorsException {
        if (!node.isObject()) {
            throw bad(where, "entry for tensor '" + name + "' is not an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw bad(where, "tensor '" + name + "' has unknown field '" + key + "'");
            }
        }
        JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw bad(where, "tensor '" + name + "' has no dtype string");
        }
        long[] shape = longs(where, name, "shape", node.get("shape"), -1);
        long[] offsets = longs(where, name, "data_offsets", node.get("data_offsets"), 2);
        DType type;
        try {
            type = DType.parse(dtype.textValue(), name);
        } catch (MalformedSafetensorsException e) {
            throw bad(where, e.getMessage());
        }
        return new Entry(name, type, shape, offsets[0], offsets[1]);
    }

    private static long[] longs(String where, String name, String field, JsonNode node, int length)
            throws MalformedSafetensorsException {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw bad(
                    where,
                    "tensor '" + name + "' needs '" + field + "' as an array"
                            + (length >= 0 ? " of " + length + " integers" : " of integers"));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw bad(
                        where,
                        "tensor '" + name + "' " + field + "[" + i + "] = " + v + " is not a non-negative integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Offsets must start at 0, follow each other with no gap or overlap, and end at the file's end. */
    private static void validateLayout(String where, List<Entry> entries, long dataBytes)
            throws MalformedSafetensorsException {
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        for (Entry e : entries) {
            if (e.begin != next || e.end < e.begin) {
                throw bad(
                        where,
                        "tensor '" + e.name + "' has data_offsets [" + e.begin + ", " + e.end
                                + "], expected to start at " + next + " (offsets must be contiguous)");
            }
            long need;
            try {
                need = Math.multiplyExact(Tensor.numel(e.shape), (long) e.dtype.bytes());
            } catch (ArithmeticException ex) {
                throw bad(where, "tensor '" + e.name + "' shape overflows");
            }
            if (e.end - e.begin != need) {
                throw bad(
                        where,
                        "tensor '" + e.name + "' shape " + java.util.Arrays.toString(e.shape)
                                + " of " + e.dtype + " needs " + need + " bytes, data_offsets give "
                                + (e.end - e.begin));
            }
            if (need > Integer.MAX_VALUE - 16) {
                throw bad(where, "tensor '" + e.name + "' has " + need + " bytes, over the 2 GB per-tensor limit");
            }
            next = e.end;
        }
        if (next != dataBytes) {
            throw bad(
                    where,
                    "tensors cover " + next + " data bytes but the file holds " + dataBytes
                            + (next > dataBytes ? " (truncated file)" : " (trailing bytes)"));
        }
    }

    private static ByteBuffer readFully(String where, DataInputStream in, int len, String what)
            throws MalformedSafetensorsException, IOException {
        byte[] b = new byte[len];
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new MalformedSafetensorsException(where + ": the file ends inside " + what + " (truncated file)", e);
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static MalformedSafetensorsException bad(String where, String what) {
        return new MalformedSafetensorsException(where + ": " + what);
    }
}
