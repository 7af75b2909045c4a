package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.io.HadoopSafetensors;
import topksae.io.SafetensorsFile;
import topksae.io.Tensor;

/** The driver-side pieces of a round without Spark: outer step, dead concepts, sums, tensor files. */
class RoundMathTest {
    @Test
    void averageTakesTheMean() {
        OuterOptimizer o = new OuterOptimizer("average", 0.7, 0.9, new boolean[] {true, true});
        assertArrayEquals(new float[] {2, 3}, o.apply(new float[] {1, 1}, new float[] {2, 3}));
        assertNull(o.momentum());
    }

    @Test
    void nesterovStepsFromTheOuterGradientAndKeepsMomentumOnlyWhenAccepted() {
        OuterOptimizer o = new OuterOptimizer("nesterov", 0.5, 0.9, new boolean[] {true, false});
        // g = prev - avg = -2; buf = -2; update = g + 0.9 buf = -3.8; new = 1 - 0.5 * -3.8 = 2.9
        float[] next = o.apply(new float[] {1, 1}, new float[] {3, 5});
        assertEquals(2.9f, next[0], 1e-6f);
        assertEquals(5f, next[1], 0f, "a buffer takes the average");
        assertNull(o.momentum(), "momentum kept only after accept");
        o.apply(new float[] {1, 1}, new float[] {3, 5});
        o.accept();
        assertEquals(-2f, o.momentum()[0], 1e-6f);
        // second step: g = -2, buf = 0.9 * -2 - 2 = -3.8, update = -2 + 0.9 * -3.8 = -5.42
        float[] second = o.apply(new float[] {1, 1}, new float[] {3, 1});
        assertEquals(1 + 0.5f * 5.42f, second[0], 1e-5f);
    }

    @Test
    void nesterovWithUnitRateAndNoMomentumIsTheAverage() {
        OuterOptimizer o = new OuterOptimizer("nesterov", 1.0, 0.0, new boolean[] {true, true, true});
        assertArrayEquals(
                new float[] {0.5f, -2f, 7f}, o.apply(new float[] {1, 1, 1}, new float[] {0.5f, -2f, 7f}), 1e-6f);
    }

    @Test
    void roundResultsSumAndSkipRejectedWorkers() {
        RoundResult a = RoundResult.of(new float[] {1, 2}, null, stats(10), 1.0);
        RoundResult b = RoundResult.of(new float[] {3, 4}, null, stats(5), 2.0);
        RoundResult acc =
                RoundResult.empty().merge(a).merge(RoundResult.rejected(7, 3.0)).merge(b);
        assertArrayEquals(new float[] {4, 6}, acc.state);
        assertEquals(2, acc.workers);
        assertEquals(1, acc.rejected);
        assertEquals(7, acc.rejectedTokens);
        assertEquals(15, acc.stats.tokens);
        assertEquals(3.0, acc.maxComputeSeconds);
        assertFalse(RoundResult.finite(new float[] {1, Float.NaN}));
        assertTrue(RoundResult.finite(null));
    }

    @Test
    void tensorFilesRoundTripOnAHadoopFileSystem(@TempDir Path dir) throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.f32(new long[] {2, 3}, new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}));
        t.put("scalar", Tensor.f32(new long[0], new float[] {7f}));
        t.put("n", Tensor.i64(new long[] {2}, new long[] {-1, 1L << 40}));
        String path = dir.resolve("x.safetensors").toString();
        HadoopSafetensors.Written w =
                HadoopSafetensors.write(path, new Configuration(), new SafetensorsFile(t, Map.of("format", "test")));
        SafetensorsFile c = HadoopSafetensors.read(path, new Configuration(), w);
        assertEquals("test", c.metadata().get("format"));
        assertArrayEquals(new long[] {2, 3}, c.tensors().get("w").shape());
        assertArrayEquals(
                new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}, c.tensors().get("w").toFloats());
        assertEquals(0, c.tensors().get("scalar").shape().length);
        assertArrayEquals(new long[] {-1, 1L << 40}, c.tensors().get("n").toLongs());
        byte[] raw = java.nio.file.Files.readAllBytes(dir.resolve("x.safetensors"));
        long header = java.nio.ByteBuffer.wrap(raw, 0, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertEquals(0, header % 8);
        assertEquals(8 + header + 6 * 4 + 4 + 2 * 8, raw.length);
        assertEquals(raw.length, w.length());
    }

    private static topksae.train.StepStats stats(long tokens) {
        topksae.train.StepStats s = new topksae.train.StepStats();
        s.tokens = tokens;
        s.loss = 1;
        s.sumX = new double[] {1};
        s.fireCounts = new long[] {1};
        return s;
    }
}
