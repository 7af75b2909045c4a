package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.spark.TopKSAEModel;

/**
 * The job's report on an input with text columns and an evaluation split, in-process on local[2],
 * then rendered by headless Chromium.
 */
class TrainJobReportTest {
    private static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-report-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 1024 synthetic rows in 4 files, as 64 documents of 16 tokens "w0" .. "w15". */
    private String textInput() {
        String input = tmp.resolve("acts").toString();
        Column id = functions.monotonically_increasing_id();
        SyntheticActivations.generate(spark, new SyntheticActivations.Spec(1024, 16, 32, 2, 4, 42), "features")
                .withColumn("doc_id", functions.floor(id.divide(16)))
                .withColumn("position", id.mod(16).cast("int"))
                .withColumn(
                        "token", functions.concat(functions.lit("w"), id.mod(16).cast("string")))
                .write()
                .parquet(input);
        return input;
    }

    @Test
    void reportShowsHeldOutFvuConceptsInContextAndTheSettingsUsed() throws Exception {
        String out = tmp.resolve("run").toString();
        JobRun.Result r = TrainJob.runIn(
                spark,
                new String[] {
                    "--input",
                    textInput(),
                    "--output",
                    out,
                    "--nb-concepts",
                    "48",
                    "--batch-size",
                    "64",
                    "--local-steps",
                    "2",
                    "--max-epochs",
                    "2",
                    "--learning-rate",
                    "0.002",
                    "--eval-fraction",
                    "0.25",
                    "--report-concepts",
                    "3"
                },
                Map.of());

        JsonNode s = new ObjectMapper().readTree(new File(out, "summary.json"));
        JsonNode held = s.get("heldOut");
        long heldRows = held.get("rows").asLong();
        long trainRows = s.get("training").get("validRows").asLong();
        assertEquals(1024, heldRows + trainRows, "held-out and training rows split the input");
        assertTrue(heldRows > 180 && heldRows < 340, "about a quarter held out: " + heldRows);
        assertEquals(2 * trainRows, r.tokens(), "two epochs over the training rows only");
        double fvu = held.get("fvu").asDouble();
        assertTrue(fvu > 0 && fvu < 1, "held-out FVU of a trained model: " + fvu);
        assertEquals(1024, s.get("firing").get("sampleRows").asLong(), "the report sample covers the input");
        int topK = TopKSAEModel.load(r.model()).getTopK();
        assertEquals(topK, s.get("settings").get("topK").asInt(), "summary.json: the k the fit chose, not null");
        assertEquals(topK, s.get("topK").asInt());

        String html = Files.readString(Path.of(r.report()), StandardCharsets.UTF_8);
        assertTrue(html.contains(String.format(java.util.Locale.ROOT, "%.4f", fvu)), "held-out FVU card");
        assertEquals(6, ReportWriterTest.count(html, "class=\"concept\""), "three most and three least frequent");
        assertTrue(html.matches("(?s).*<mark>w\\d+</mark>.*"), "tokens marked in their text");
        assertTrue(html.contains("doc ") && html.contains(", position "), "where each shown row is");
        assertEquals(30, ReportWriterTest.count(html, "class=\"chip\""), "five nearest concepts per card");
        assertTrue(html.contains("<td><code>nbConcepts</code></td><td>48</td><td>model</td>"), "model shape");
        assertTrue(html.contains("<td><code>learningRate</code></td><td>0.002</td><td>given</td>"), "given setting");
        assertTrue(html.contains("<td><code>topK</code></td><td>" + topK + "</td><td>default</td>"), "resolved k");

        String dom = HeadlessChromium.dumpDom(Path.of(r.report()), tmp);
        for (String id : ReportWriter.SECTIONS) {
            assertTrue(dom.contains("<section id=\"" + id + "\">"), id);
        }
        Path png = HeadlessChromium.screenshot(Path.of(r.report()), tmp, 1280, 3000);
        assertTrue(Files.size(png) > 50_000, "screenshot has content: " + Files.size(png));
    }

    @Test
    void evalFractionAndEvalInputTogetherAreRefusedBeforeSparkWork() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TrainJob.run(
                new String[] {"--eval-fraction", "0.1", "--eval-input", "x.parquet"},
                Map.of(),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(2, code);
        assertTrue(err.toString().contains("set one of them"), err.toString());
    }
}
