package topksae.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCodecTest {
    @TempDir
    Path tmp;

    /** A file written by the Python `safetensors` package (see make_python_fixture.py beside it). */
    static Path pythonFixture(Path tmp) throws IOException {
        Path p = tmp.resolve("python_written.safetensors");
        try (InputStream in = SafetensorsCodecTest.class.getResourceAsStream("python_written.safetensors")) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void readsFileWrittenByPythonSafetensors() throws IOException {
        SafetensorsFile f = SafetensorsFile.read(pythonFixture(tmp));
        assertEquals(Map.of("format", "np"), f.metadata());
        assertEquals(
                List.of("count", "double", "bias", "empty", "weight", "ids", "half"),
                List.copyOf(f.tensors().keySet()),
                "file order: descending alignment, then name");
        Tensor w = f.require("weight").requireShape("weight", 3, 4);
        float[] expected = new float[12];
        for (int i = 0; i < 12; i++) {
            expected[i] = (i - 5.5f) / 4;
        }
        assertArrayEquals(expected, w.toFloats());
        assertArrayEquals(
                new float[] {1e-8f, -0.0f, Float.MAX_VALUE}, f.require("bias").toFloats());
        assertArrayEquals(
                new float[] {1f, -2.5f, 65504f, 0x1p-24f}, f.require("half").toFloats());
        assertArrayEquals(new double[] {Math.PI, -1.0 / 3}, f.require("double").toDoubles());
        Tensor count = f.require("count");
        assertEquals(DType.I64, count.dtype());
        assertEquals(0, count.shape().length);
        assertArrayEquals(new double[] {7}, count.toDoubles());
        assertArrayEquals(
                new double[] {-3, 0, Integer.MAX_VALUE}, f.require("ids").toDoubles());
        assertArrayEquals(new long[] {0, 4}, f.require("empty").shape());
    }

    @Test
    void rewritingThePythonFileGivesTheSameBytes() throws IOException {
        Path src = pythonFixture(tmp);
        Path copy = tmp.resolve("copy.safetensors");
        SafetensorsFile.read(src).write(copy);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(copy));
    }

    @Test
    void roundTripsEveryDtypeExactly() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        float[] v = {0f, -1.5f, 2.25f, 100f, -7f, 3f};
        for (DType d : DType.values()) {
            float[] vals = v.clone();
            if (d == DType.BOOL) {
                vals = new float[] {0, 1, 1, 0, 1, 0};
            } else if (d == DType.U8 || d == DType.U16 || d == DType.U32) {
                vals = new float[] {0, 1, 2, 100, 7, 3};
            } else if (d.name().startsWith("I")) {
                vals = new float[] {0, -1, 2, 100, -7, 3};
            }
            t.put("t_" + d, Tensor.of(d, new long[] {2, 3}, vals));
        }
        t.put("scalar", Tensor.f32(new long[0], new float[] {0.25f}));
        t.put("empty", Tensor.f32(new long[] {0}, new float[0]));
        Path p = tmp.resolve("all.safetensors");
        new SafetensorsFile(t, Map.of("k", "v", "json", "{\"a\": [1]}")).write(p);
        SafetensorsFile back = SafetensorsFile.read(p);
        assertEquals(t, back.tensors());
        assertEquals(Map.of("k", "v", "json", "{\"a\": [1]}"), back.metadata());
        assertEquals(
                0,
                (Files.size(p)
                                - 8
                                - back.tensors().values().stream()
                                        .mapToLong(x -> x.data().length)
                                        .sum())
                        % 8,
                "header padded to 8 bytes");
    }

    @Test
    void halfPrecisionConversionsRoundToNearestEven() {
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f));
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(65520f), "rounds up to infinity");
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, HalfFloats.floatToF16(0x1p-25f), "tie to even gives zero");
        assertEquals((short) 0x0002, HalfFloats.floatToF16(0x1.8p-24f), "tie to even rounds up");
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f + 0x1p-11f), "tie at 1 + half ulp stays even");
        assertEquals((short) 0x3C02, HalfFloats.floatToF16(1f + 0x3p-11f), "tie rounds to even upwards");
        assertEquals((short) 0x8000, HalfFloats.floatToF16(-0f));
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.f16ToFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertEquals((short) bits, HalfFloats.floatToF16(f), "f16 round trip of " + bits);
            }
            float b = Float.intBitsToFloat(bits << 16);
            if (!Float.isNaN(b)) {
                assertEquals((short) bits, HalfFloats.floatToBf16(b), "bf16 round trip of " + bits);
            }
        }
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f + 0x1p-8f), "bf16 tie to even");
        assertEquals((short) 0x3F82, HalfFloats.floatToBf16(1f + 0x3p-8f), "bf16 tie to even upwards");
    }
}
