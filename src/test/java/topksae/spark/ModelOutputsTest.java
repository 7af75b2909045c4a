package topksae.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.io.SafetensorsFile;

/**
 * The model writer's {@code format} option and {@code TopKSAEModel.load} of foreign layouts: the
 * calls a Spark Connect client can make (it reaches the JVM only through ML writers and readers).
 */
class ModelOutputsTest {
    static SparkSession spark;
    static Dataset<Row> df;
    static TopKSAEModel fitted;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session();
        df = SparkTestSupport.frame(spark, new SparkTestSupport.Synthetic(10, 12, 3, 300, 0.01, 7).rows, 2)
                .cache();
        fitted = new TopKSAEEstimator()
                .setNbConcepts(16)
                .setTopK(3)
                .setBatchSize(50)
                .setMaxEpochs(2)
                .setSeed(2)
                .fit(df);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Vector> codes(TopKSAEModel m) {
        return m.transform(df).orderBy("id").select("codes").collectAsList().stream()
                .map(r -> (Vector) r.get(0))
                .toList();
    }

    @Test
    void exportFormatsWriteToUrisAndLoadRecognizesThem(@TempDir Path tmp) throws Exception {
        String uri = tmp.toUri().toString();
        fitted.write()
                .option("format", "saelens")
                .option("metadata", "{\"hook_name\": \"h\"}")
                .save(uri + "saelens");
        JsonNode cfg =
                new ObjectMapper().readTree(tmp.resolve("saelens/cfg.json").toFile());
        assertEquals(16, cfg.get("d_sae").asInt());
        assertEquals("h", cfg.get("metadata").get("hook_name").asText());
        try (var files = Files.list(tmp.resolve("saelens"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".crc")), "no checksum files");
        }
        fitted.write().option("format", "sparsify").save(uri + "sparsify/layers.0");
        assertTrue(Files.isRegularFile(tmp.resolve("sparsify/layers.0/sae.safetensors")));
        fitted.write().option("format", "overcomplete").save(uri + "oc.safetensors");

        List<Vector> expected = codes(fitted);
        for (String path : new String[] {"saelens", "sparsify/layers.0", "oc.safetensors"}) {
            TopKSAEModel imported = TopKSAEModel.load(uri + path);
            assertEquals(16, imported.getNbConcepts(), path);
            assertEquals(3, imported.getTopK(), path);
            assertEquals(expected, codes(imported.setBatchSize(fitted.getBatchSize())), path);
        }
        // its own layout still loads as before
        fitted.write().save(uri + "model");
        assertArrayEquals(fitted.flatState(), TopKSAEModel.load(uri + "model").flatState());
    }

    @Test
    void dictionaryAndSummaryFormats(@TempDir Path tmp) throws Exception {
        fitted.write().option("format", "dictionary").save(tmp.resolve("d").toString());
        SafetensorsFile f = SafetensorsFile.read(tmp.resolve("d/dictionary.safetensors"));
        float[][] d = fitted.dictionary();
        assertArrayEquals(new long[] {16, 10}, f.require("dictionary").shape());
        float[] flat = f.require("dictionary").toFloats();
        for (int i = 0; i < d.length; i++) {
            assertArrayEquals(d[i], java.util.Arrays.copyOfRange(flat, i * 10, (i + 1) * 10), "row " + i);
        }

        fitted.write().option("format", "summary").save(tmp.resolve("s").toString());
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("s/summary.json").toFile());
        TopKSAETrainingSummary expected = fitted.summary();
        assertEquals(expected.rounds().size(), s.get("rounds").size());
        assertEquals(
                expected.last().fvu(),
                s.get("rounds").get(s.get("rounds").size() - 1).get("fvu").asDouble());
        assertEquals(expected.validRows(), s.get("totals").get("validRows").asLong());
        assertEquals(300, s.get("totals").get("validRows").asLong());

        TopKSAEModel loaded = TopKSAEModel.load(saved(tmp));
        Exception e = assertThrows(RuntimeException.class, () -> loaded.write()
                .option("format", "summary")
                .save(tmp.resolve("s2").toString()));
        assertTrue(e.getMessage().contains("no training summary"), e.getMessage());
        Exception bad = assertThrows(IllegalArgumentException.class, () -> fitted.write()
                .option("format", "onnx")
                .save(tmp.resolve("x").toString()));
        assertTrue(bad.getMessage().contains("saelens"), bad.getMessage());
    }

    private static String saved(Path tmp) throws java.io.IOException {
        String p = tmp.resolve("m").toString();
        fitted.write().save(p);
        return p;
    }

    @Test
    void aFolderOfNoKnownLayoutFailsAsBefore(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "x");
        Exception e = assertThrows(Exception.class, () -> TopKSAEModel.load(tmp.toString()));
        assertTrue(
                String.valueOf(e.getMessage()).contains("neither a saved TopKSAEModel"),
                String.valueOf(e.getMessage()));
    }
}
