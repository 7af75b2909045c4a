package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import topksae.spark.TopKSAEModel;

/** What the user sees when runs collide, resume with other settings, or find corrupt files (docs/reliability.md). */
class JobFaultsTest {
    private static SparkSession spark;

    @TempDir
    File tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("topksae-job-faults")
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

    /** 4 rounds per epoch on 1024 synthetic rows, a checkpoint every 2 rounds. */
    private static String[] tiny(String out, String... more) {
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
            "64",
            "--local-steps",
            "2",
            "--max-epochs",
            "2",
            "--learning-rate",
            "0.002",
            "--report-sample-rows",
            "500",
            "--checkpoint-interval",
            "2"
        };
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aSecondRunOnTheSameOutputIsRefusedWhileTheFirstRuns() {
        String out = new File(tmp, "busy").getPath();
        try (RunLock running = RunLock.acquire(
                new org.apache.hadoop.fs.Path(out),
                "--output",
                spark.sparkContext().hadoopConfiguration())) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> TrainJob.runIn(spark, tiny(out), Map.of()));
            assertTrue(e.getMessage().contains("in use by another run"), e.getMessage());
        }
    }

    @Test
    void anEarlierReportIsNotOverwrittenWithoutOverwrite() {
        String out = new File(tmp, "reported").getPath();
        new File(out, "report").mkdirs();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> TrainJob.runIn(spark, tiny(out), Map.of()));
        assertTrue(e.getMessage().contains("report exists") && e.getMessage().contains("--overwrite"), e.getMessage());
    }

    @Test
    void resumeRefusesOtherSettingsAndSkipsACorruptNewestCheckpoint() throws Exception {
        String out = new File(tmp, "broken").getPath();
        assertThrows(
                RuntimeException.class,
                () -> TrainJob.runIn(spark, tiny(out), Map.of(), (rec, state) -> {
                    if (state.roundsDone == 5) {
                        throw new IllegalStateException("simulated crash after round 5");
                    }
                }));
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> TrainJob.runIn(spark, tiny(out, "--resume", "--nb-concepts", "64", "--top-k", "8"), Map.of()));
        assertTrue(other.getMessage().contains("nbConcepts 48 (checkpoint) vs 64 (this run)"), other.getMessage());
        assertTrue(other.getMessage().contains("topK 4 (checkpoint) vs 8 (this run)"), other.getMessage());

        Path newest = Path.of(out, "checkpoints", "round-00000004", "state.safetensors");
        byte[] b = Files.readAllBytes(newest);
        b[b.length / 2] ^= 1;
        Files.write(newest, b);
        JobRun.Result r = TrainJob.runIn(spark, tiny(out, "--resume"), Map.of());
        assertEquals(2048, r.tokens(), "resumed from round 2 and finished both epochs");
        JsonNode s = new ObjectMapper().readTree(new File(out, "summary.json"));
        assertEquals("round-00000002", s.get("resumedFrom").asText());
        assertEquals(0, s.get("droppedWorkers").asLong());
        assertEquals(0, s.get("training").get("droppedTokens").asLong());
        assertTrue(s.get("training").get("final").get("fvu").isNumber());
        assertFalse(Files.readString(Path.of(out, "summary.json")).contains("Infinity"));
    }

    @Test
    void aSavedModelWhoseParamsContradictItsTensorsIsRefused() throws Exception {
        String out = new File(tmp, "done").getPath();
        TrainJob.runIn(spark, tiny(out, "--max-epochs", "1", "--checkpoint-interval", "0"), Map.of());
        File meta = new File(out, "model/metadata").listFiles((d, n) -> n.startsWith("part-"))[0];
        String json = Files.readString(meta.toPath());
        assertTrue(json.contains("\"nbConcepts\":48"), json);
        Files.writeString(meta.toPath(), json.replace("\"nbConcepts\":48", "\"nbConcepts\":128"));
        new File(meta.getParentFile(), "." + meta.getName() + ".crc").delete();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TopKSAEModel.load(new File(out, "model").getPath()));
        assertTrue(e.getMessage().contains("nbConcepts = 128 in the params but 48 in the model data"), e.getMessage());
    }
}
