package topksae.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.spark.TopKSAEModel;

/** The job in-process on local[2]: the built-in run's outputs, and kill + resume = uninterrupted. */
class TrainJobTest {
    private static SparkSession spark;

    @TempDir
    File tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-job-test")
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

    /** 8 rounds on a tiny synthetic set: 1024 rows, 2 workers x 2 steps x 64 rows per round (a global batch of 128), 2 epochs. */
    private String[] tiny(String out, String... more) {
        String[] base = {
            "--output",
            out,
            "--synthetic-rows",
            "1024",
            "--synthetic-dim",
            "16",
            "--synthetic-atoms",
            "32",
            "--synthetic-active",
            "2",
            "--nb-concepts",
            "48",
            "--top-k",
            "4",
            "--batch-size",
            "128",
            "--local-steps",
            "2",
            "--max-epochs",
            "2",
            "--learning-rate",
            "0.002",
            "--report-sample-rows",
            "1000",
            "--checkpoint-interval",
            "3"
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** MLflow unreachable (a closed port): the job trains, saves and reports all the same. */
    @Test
    void anUnreachableMlflowServerDoesNotStopTheJob() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String out = new File(tmp, "run").getPath();
        JobRun.Result r =
                TrainJob.runIn(spark, tiny(out, "--mlflow-tracking-uri", "http://127.0.0.1:" + port), Map.of());
        assertEquals(2048, r.tokens());
        assertEquals("", r.mlflowRun());
        assertEquals(48, TopKSAEModel.load(r.model()).config().nbConcepts);
        assertTrue(new File(out, "report/report.html").isFile());
    }

    @Test
    void builtInRunWritesModelSummaryAndReport() throws Exception {
        String out = new File(tmp, "run").getPath();
        JobRun.Result r = TrainJob.runIn(spark, tiny(out), Map.of());
        TopKSAEModel model = TopKSAEModel.load(r.model());
        assertEquals(48, model.config().nbConcepts);
        assertEquals(16, model.config().inputShape[0]);
        JsonNode s = new ObjectMapper().readTree(new File(out, "summary.json"));
        JsonNode rounds = s.get("training").get("rounds");
        assertEquals(8, rounds.size(), "1024 rows / 256 per round x 2 epochs");
        assertEquals(2048, s.get("training").get("tokensSeen").asLong());
        assertTrue(
                rounds.get(7).get("fvu").asDouble() < rounds.get(0).get("fvu").asDouble(), "FVU falls");
        assertEquals(1000, s.get("firing").get("sampleRows").asLong());
        assertEquals(48, s.get("settings").get("nbConcepts").asInt());
        for (String f : new String[] {"report.html", "fvu.svg", "loss.svg", "firing.svg"}) {
            assertTrue(new File(out, "report/" + f).length() > 1000, f);
        }
        String html = Files.readString(new File(out, "report/report.html").toPath());
        assertTrue(html.contains("<td>8</td><td>2048</td>"), "last round in the report table");
        assertTrue(new File(out, "checkpoints/LATEST").isFile());
        assertEquals(
                "round-00000006",
                Files.readString(new File(out, "checkpoints/LATEST").toPath()).trim());
        assertEquals(CheckpointStore.KEEP, new File(out, "checkpoints").list((d, n) -> n.startsWith("round-")).length);
    }

    @Test
    void killedAndResumedEqualsUninterrupted() {
        // one input for both runs (the fit is deterministic for a seed and a fixed set of files)
        String input = new File(tmp, "activations").getPath();
        SyntheticActivations.generate(spark, new SyntheticActivations.Spec(1024, 16, 32, 2, 4, 42), "features")
                .write()
                .parquet(input);
        String straight = new File(tmp, "straight").getPath();
        float[] expected = TopKSAEModel.load(TrainJob.runIn(spark, tiny(straight, "--input", input), Map.of())
                        .model())
                .flatState();

        String broken = new File(tmp, "broken").getPath();
        RuntimeException killed = assertThrows(
                RuntimeException.class,
                () -> TrainJob.runIn(spark, tiny(broken, "--input", input), Map.of(), (rec, state) -> {
                    if (state.roundsDone == 5) {
                        throw new IllegalStateException("simulated crash after round 5");
                    }
                }));
        assertTrue(killed.getMessage().contains("simulated crash"), killed.getMessage());
        assertEquals(
                "round-00000003",
                new String(HadoopFiles.read(
                                new org.apache.hadoop.fs.Path(broken, "checkpoints/LATEST"),
                                spark.sparkContext().hadoopConfiguration()))
                        .trim());

        JobRun.Result resumed = TrainJob.runIn(spark, tiny(broken, "--input", input, "--resume"), Map.of());
        assertEquals(2048, resumed.tokens(), "the resumed run counts all tokens");
        assertArrayEquals(expected, TopKSAEModel.load(resumed.model()).flatState());
    }

    @Test
    void refusesToOverwriteAModelOrResumeFromNothing() {
        String out = new File(tmp, "exists").getPath();
        new File(out, "model").mkdirs();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> TrainJob.runIn(spark, tiny(out), Map.of()));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        IllegalStateException r = assertThrows(
                IllegalStateException.class,
                () -> TrainJob.runIn(spark, tiny(new File(tmp, "none").getPath(), "--resume"), Map.of()));
        assertTrue(r.getMessage().contains("no checkpoint"), r.getMessage());
        IllegalStateException in = assertThrows(
                IllegalStateException.class,
                () -> TrainJob.runIn(
                        spark,
                        tiny(new File(tmp, "x").getPath(), "--input", new File(tmp, "missing").getPath()),
                        Map.of()));
        assertTrue(in.getMessage().startsWith("--input (spark.topksae.input): no such path"), in.getMessage());
    }
}
