package topksae.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MalformedSafetensorsTest {
    private static final String OK_ENTRY = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path tmp;

    private Path file(long declaredLength, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        Path p = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, dataBytes);
    }

    private void rejected(Path p, String... fragments) {
        MalformedSafetensorsException e =
                assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.read(p));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void wellFormedBaselineIsAccepted() throws IOException {
        assertEquals(
                1, SafetensorsFile.read(file("{" + OK_ENTRY + "}", 8)).tensors().size());
    }

    @Test
    void rejectsFilesTooShortForTheLengthField() throws IOException {
        Path p = tmp.resolve("short");
        Files.write(p, new byte[] {1, 0, 0});
        rejected(p, "too short");
    }

    @Test
    void rejectsHeaderLengthsBeyondTheFileOrTheCap() throws IOException {
        byte[] h = ("{" + OK_ENTRY + "}").getBytes(StandardCharsets.UTF_8);
        rejected(file(h.length + 100, h, 8), "exceeds", "truncated");
        rejected(file(Long.MAX_VALUE, h, 8), "outside");
        rejected(file(-1, h, 8), "18446744073709551615", "outside");
        rejected(file(200_000_000L, h, 8), "outside");
        rejected(file(0, h, 8), "outside");
    }

    @Test
    void rejectsHeadersThatAreNotAUtf8JsonObject() throws IOException {
        rejected(file("[1, 2]  ", 0), "start with '{'");
        rejected(file("{\"w\": ", 0), "not valid JSON");
        rejected(file("{} trailing", 0), "not valid JSON");
        byte[] latin1 = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
        rejected(file(latin1.length, latin1, 0), "UTF-8");
        rejected(file("{" + OK_ENTRY + "," + OK_ENTRY + "}", 8), "not valid JSON", "Duplicate");
    }

    @Test
    void rejectsBadEntries() throws IOException {
        rejected(
                file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
                "'w'",
                "unsupported dtype 'F8_E4M3'");
        rejected(file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "no dtype");
        rejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "non-negative");
        rejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8), "non-negative");
        rejected(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "2 integers");
        rejected(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8),
                "unknown field 'x'");
        rejected(file("{\"w\":[1]}", 0), "not an object");
        rejected(file("{\"__metadata__\":{\"a\":1}}", 0), "not a string");
    }

    @Test
    void rejectsShapesThatDisagreeWithByteCounts() throws IOException {
        rejected(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "'w'",
                "needs 12 bytes",
                "give 8");
        rejected(
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4]," + "\"data_offsets\":[0,8]}}", 8),
                "overflows");
    }

    @Test
    void rejectsOffsetsWithGapsOrOverlaps() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        String gap = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}";
        rejected(file("{" + a + "," + gap + "}", 16), "'b'", "contiguous");
        String overlap = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}";
        rejected(file("{" + a + "," + overlap + "}", 12), "contiguous");
        String late = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}";
        rejected(file("{" + late + "}", 12), "'a'", "contiguous");
    }

    @Test
    void rejectsTruncatedDataAndTrailingBytes() throws IOException {
        rejected(file("{" + OK_ENTRY + "}", 5), "truncated");
        rejected(file("{" + OK_ENTRY + "}", 12), "trailing bytes");
    }

    @Test
    void rejectsTruncatedCopiesOfARealFile() throws IOException {
        byte[] real = Files.readAllBytes(SafetensorsCodecTest.pythonFixture(tmp));
        for (int cut : new int[] {4, 12, 200, real.length - 1}) {
            Path p = tmp.resolve("cut" + cut);
            Files.write(p, Arrays.copyOf(real, cut));
            assertThrows(MalformedSafetensorsException.class, () -> SafetensorsFile.read(p), "cut at " + cut);
        }
    }
}
