package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import topksae.spark.TopKSAEEstimator;

/** Bad settings end the job with exit code 2 and the setting named, before Spark starts. */
class TrainJobSettingsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> props, String... args) {
        return TrainJob.run(
                args,
                props,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryEstimatorParamAndJobSetting() {
        assertEquals(0, run(Map.of(), "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String flag : new String[] {
            "--input=",
            "--output=",
            "--resume",
            "--checkpoint-interval=",
            "--nb-concepts=",
            "--top-k=",
            "--learning-rate=",
            "--outer-optimizer=",
            "--handle-invalid="
        }) {
            assertTrue(help.contains(flag), flag + "\n" + help);
        }
        assertTrue(help.contains("property spark.topksae.learningRate, default: 0.0"), help);
        assertTrue(SparkSession.getActiveSession().isEmpty(), "no Spark for --help");
    }

    @Test
    void summarySettingsAreTheOnesTheEstimatorUsed() {
        JobCommand command = new JobCommand(TrainJob.settings());
        JobCommand.Parsed demo = command.parse(new String[] {"--batch-size", "128"}, Map.of());
        Map<String, Object> used = JobRun.settingsUsed(demo);
        TopKSAEEstimator est = JobRun.estimator(demo);
        assertEquals(256, ((Number) used.get("nbConcepts")).intValue(), "the demo's default");
        assertEquals(128, ((Number) used.get("batchSize")).intValue(), "a given flag wins");
        for (var p : est.params()) {
            Object v = used.get(p.name());
            if (v != null && est.isDefined(p) && !TrainJob.JOB_OWNED.contains(p.name())) {
                Object actual = est.getOrDefault(p);
                assertEquals(
                        v instanceof Number n ? n.doubleValue() : v,
                        actual instanceof Number n ? n.doubleValue() : actual,
                        p.name());
            }
        }
        JobCommand.Parsed real = command.parse(new String[] {"--input", "x.parquet"}, Map.of());
        assertEquals(1024, ((Number) JobRun.settingsUsed(real).get("nbConcepts")).intValue());
    }

    @Test
    void auxKFlagsAndTheEarlierSpellingParse() {
        JobCommand cmd = new JobCommand(TrainJob.settings());
        Map<String, Object> v = cmd.parse(
                        new String[] {
                            "--aux-k-mode",
                            "overcomplete",
                            "--k-aux",
                            "64",
                            "--aux-kpenalty",
                            "0.03125",
                            "--decoder-grad-projection"
                        },
                        Map.of())
                .values();
        assertEquals("overcomplete", v.get("auxKMode"));
        assertEquals(64, v.get("kAux"));
        assertEquals(0.03125, v.get("auxKPenalty"));
        assertEquals(Boolean.TRUE, v.get("decoderGradProjection"));
        assertEquals(
                0.5,
                cmd.parse(new String[] {"--aux-k-penalty", "0.5"}, Map.of())
                        .values()
                        .get("auxKPenalty"));
        assertEquals(2, run(Map.of(), "--aux-k-mode", "both"));
        assertTrue(err().contains("--aux-k-mode"), err());
        String help = cmd.usage();
        assertTrue(
                help.contains("--aux-k-mode=")
                        && help.contains("--k-aux=")
                        && help.contains("property spark.topksae.kAux, default: (unset)"),
                help);
    }

    @Test
    void everyEstimatorParamIsASetting() {
        TopKSAEEstimator est = new TopKSAEEstimator();
        for (var p : est.params()) {
            boolean listed = TrainJob.settings().stream().anyMatch(s -> s.name().equals(p.name()));
            assertTrue(listed || TrainJob.JOB_OWNED.contains(p.name()), p.name());
        }
    }

    @Test
    void invalidValueFailsBeforeSparkStarts() {
        assertEquals(2, run(Map.of(), "--nb-concepts", "0"));
        assertTrue(err().contains("--nb-concepts (spark.topksae.nbConcepts)"), err());
        assertTrue(SparkSession.getActiveSession().isEmpty());
    }

    @Test
    void unknownPropertyFails() {
        assertEquals(2, run(Map.of("spark.topksae.nbConcept", "12")));
        assertTrue(err().contains("unknown setting spark.topksae.nbConcept"), err());
    }

    @Test
    void inconsistentValuesFail() {
        assertEquals(2, run(Map.of("spark.topksae.nbConcepts", "16"), "--top-k", "32"));
        assertTrue(err().contains("topK = 32 exceeds nbConcepts = 16"), err());
    }

    @Test
    void badChoiceIsNamed() {
        assertEquals(2, run(Map.of(), "--outer-optimizer", "adam"));
        assertTrue(err().contains("--outer-optimizer (spark.topksae.outerOptimizer)"), err());
    }

    @Test
    void nonFiniteValuesFailBeforeSparkStarts() {
        assertEquals(2, run(Map.of(), "--learning-rate", "Infinity"));
        assertTrue(err().contains("--learning-rate (spark.topksae.learningRate)"), err());
        assertEquals(2, run(Map.of("spark.topksae.clipGrad", "NaN")));
        assertTrue(SparkSession.getActiveSession().isEmpty());
    }

    @Test
    void relativePathsResolveAgainstTheCallersDirectory() {
        assertEquals("/home/u/acts.parquet", JobRun.resolve("acts.parquet", "/home/u"));
        assertEquals("/home/acts", JobRun.resolve("../acts", "/home/u"));
        assertEquals("/data/acts", JobRun.resolve("/data/acts", "/home/u"));
        assertEquals("hdfs:///acts", JobRun.resolve("hdfs:///acts", "/home/u"));
        assertEquals("acts", JobRun.resolve("acts", null), "no launcher: Hadoop's working directory");
    }
}
