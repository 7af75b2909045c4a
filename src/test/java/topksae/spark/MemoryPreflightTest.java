package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import topksae.model.SAE;
import topksae.model.SAEConfig;

/** The memory estimate of a fit and the check against configured limits (no Spark context). */
class MemoryPreflightTest {
    static final long MB = MemoryPreflight.MB;
    static final long GB = 1024 * MB;

    static SAEConfig config(String variant, int dim, int concepts) {
        SAEConfig c = new SAEConfig();
        c.variant = variant;
        c.inputShape = new int[] {dim};
        c.nbConcepts = concepts;
        c.topK = 2;
        c.encoder = "linear";
        c.normalization = "l2";
        c.seed = 1;
        return c;
    }

    @Test
    void stateSizeFormulaMatchesTheModel() {
        for (String v : new String[] {"topk", "batchtopk"}) {
            SAEConfig c = config(v, 12, 40);
            assertEquals(ModelState.of(SAE.fromConfig(c)).length, MemoryPreflight.stateFloats(c), v);
            c.useMultiplier = true;
            assertEquals(
                    ModelState.of(SAE.fromConfig(c)).length, MemoryPreflight.stateFloats(c), v + " with multiplier");
        }
        SAEConfig mlp = config("topk", 12, 40);
        mlp.encoder = "mlp_ln_1";
        assertEquals(ModelState.of(SAE.fromConfig(mlp)).length, MemoryPreflight.stateFloats(mlp), "counted exactly");
    }

    static MemoryPreflight.Need need768(boolean local, int workers) {
        long floats = MemoryPreflight.stateFloats(config("topk", 768, 16384));
        return MemoryPreflight.need(floats, true, false, workers, 1024, 768, 16384, local, 2);
    }

    static MemoryPreflight.Limits localLimits(long heap, long maxBytes, long physical) {
        return new MemoryPreflight.Limits(heap, maxBytes, physical, true, GB, GB, 0, 0, GB);
    }

    @Test
    void theDriverNeedIsAFewStatesAndATooSmallHeapFailsNamingTheSettingAndAValue() {
        MemoryPreflight.Need n = need768(true, 2);
        assertEquals((2L * 768 * 16384 + 16384 + 1) * 4, n.stateBytes());
        long shipped = n.stateBytes() + n.optimizerBytes();
        assertTrue(n.driverHeap() > 3 * shipped && n.driverHeap() < 3 * shipped + 2 * GB, "driver " + n.driverHeap());
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> MemoryPreflight.check(n, localLimits(GB, 4 * GB, 8 * GB), "the test fit"));
        assertTrue(e.getMessage().contains("spark.driver.memory"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*set it to \\d+g.*"), e.getMessage());
        assertFalse(e.getMessage().contains("maxbytes"), "4 GB off-heap is enough: " + e.getMessage());
        assertDoesNotThrow(() -> MemoryPreflight.check(n, localLimits(4 * GB, 4 * GB, 0), "the test fit"));
    }

    @Test
    void offHeapCapsAndExecutorSettingsAreNamedWhenTooSmall() {
        MemoryPreflight.Need local = need768(true, 2);
        String m = assertThrows(
                        IllegalStateException.class,
                        () -> MemoryPreflight.check(local, localLimits(8 * GB, 512 * MB, 3 * GB), "x"))
                .getMessage();
        assertTrue(m.contains("-Dorg.bytedeco.javacpp.maxbytes in spark.driver.extraJavaOptions"), m);
        assertTrue(m.contains("maxphysicalbytes"), m);
        MemoryPreflight.Need cluster = need768(false, 8);
        MemoryPreflight.Limits small =
                new MemoryPreflight.Limits(8 * GB, 8 * GB, 0, false, 512 * MB, 512 * MB, 0, 384 * MB, 16 * MB);
        m = assertThrows(IllegalStateException.class, () -> MemoryPreflight.check(cluster, small, "x"))
                .getMessage();
        for (String s : new String[] {
            "spark.executor.memory",
            "spark.executor.extraJavaOptions",
            "spark.executor.memoryOverhead",
            "spark.driver.maxResultSize"
        }) {
            assertTrue(m.contains(s), s + " in " + m);
        }
        assertFalse(m.contains("spark.driver.memory"), m);
    }

    @Test
    void settingValuesParseAsSparkAndJavaCppDo() {
        assertEquals(2 * GB, MemoryPreflight.bytes("2g"));
        assertEquals(512 * MB, MemoryPreflight.bytes("512"));
        assertEquals(4 * GB, MemoryPreflight.javacpp("-Dx=1 -Dorg.bytedeco.javacpp.maxbytes=4G -Dy", "maxbytes", 0));
        assertEquals(
                123, MemoryPreflight.javacpp("-Dorg.bytedeco.javacpp.maxPhysicalBytes=123", "maxphysicalbytes", 0));
        assertEquals(7, MemoryPreflight.javacpp("", "maxbytes", 7));
        assertEquals("3g", MemoryPreflight.suggest(2 * GB + 1));
        assertEquals("640m", MemoryPreflight.suggest(600 * MB));
    }
}
