package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end: scripts/cluster.sh starts a standalone master and two worker JVMs on 127.0.0.1,
 * spark-submit runs the shaded job jar against it, and the model and summary are checked; then
 * the same with one worker JVM (and its executor) killed while training runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final File ROOT = new File(System.getProperty("user.dir"));
    private static final File DIR = new File(ROOT, "target/it-cluster");
    private static final long TIMEOUT_S = 420;
    private static Map<String, String> env;
    private static String master;

    @BeforeAll
    static void startCluster() throws Exception {
        String sparkHome =
                run(List.of("bash", "scripts/spark-home.sh"), Map.of()).trim();
        env = Map.of(
                "SPARK_HOME",
                sparkHome,
                "SPARK_SCALA_VERSION",
                "2.13",
                "SPARK_LOCAL_IP",
                "127.0.0.1",
                "SPARK_CONF_DIR",
                new File(ROOT, "conf").getPath(),
                "CLUSTER_DIR",
                DIR.getPath(),
                "MASTER_PORT",
                String.valueOf(freePort()),
                "MASTER_UI_PORT",
                String.valueOf(freePort()),
                "WORKER_MEMORY",
                "1500m");
        master = run(List.of("bash", "scripts/cluster.sh", "start", "2"), env).trim();
        assertTrue(master.startsWith("spark://127.0.0.1:"), master);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (env != null) {
            run(List.of("bash", "scripts/cluster.sh", "stop"), env);
        }
    }

    @Test
    @Order(1)
    void trainsOnTwoWorkers() throws Exception {
        File out = new File(DIR, "run-two-workers");
        Process job = submit(out, 2048, 256);
        assertEquals(0, finish(job, out), "spark-submit exit code");
        JsonNode s = summary(out);
        assertEquals(master, s.get("sparkMaster").asText());
        assertEquals(2, s.get("training").get("workers").asInt());
        assertEquals(2048, s.get("training").get("tokensSeen").asLong());
        assertEquals(
                4,
                s.get("training").get("rounds").size(),
                "2048 rows / (2 workers x 2 steps x 128 rows, a global batch of 256)");
        assertTrue(new File(out, "model/metadata").isDirectory());
        assertTrue(new File(out, "model/data").isDirectory());
        assertTrue(new File(out, "report/report.html").isFile());
    }

    @Test
    @Order(2)
    void finishesWhenAWorkerDiesMidTraining() throws Exception {
        File out = new File(DIR, "run-worker-killed");
        Process job = submit(out, 8192, 64); // 64 rounds of 2 workers x 2 steps x 32 rows
        File log = new File(out.getPath() + ".log");
        waitForLine(log, "INFO ProgressLog: round 3/", job);
        String killed = run(List.of("bash", "scripts/cluster.sh", "kill-worker", "1"), env);
        assertTrue(killed.contains("killed worker 1"), killed);
        assertEquals(0, finish(job, out), "spark-submit exit code after losing a worker");
        JsonNode s = summary(out);
        assertEquals(8192, s.get("training").get("tokensSeen").asLong(), "every round ran");
        assertTrue(new File(out, "model/metadata").isDirectory());
        String status = run(List.of("bash", "scripts/cluster.sh", "status"), env);
        assertTrue(status.contains("worker-1 down"), status);
    }

    /** spark-submit in client mode; stdout and stderr go to OUT.log. */
    private static Process submit(File out, int rows, int batch) throws IOException {
        String jar = System.getProperty("topksae.jobJar");
        List<String> cmd = new ArrayList<>(List.of(
                env.get("SPARK_HOME") + "/bin/spark-submit",
                "--master",
                master,
                "--deploy-mode",
                "client",
                "--properties-file",
                "conf/topk-sae.conf",
                "--conf",
                "spark.driver.host=127.0.0.1",
                "--conf",
                "spark.executor.memory=1g",
                "--conf",
                "spark.executor.cores=1",
                "--conf",
                "spark.driver.memory=1g",
                "--class",
                "topksae.job.TrainJob",
                jar,
                "--output",
                out.getPath(),
                "--overwrite",
                "--synthetic-rows",
                String.valueOf(rows),
                "--synthetic-dim",
                "16",
                "--synthetic-atoms",
                "32",
                "--synthetic-active",
                "2",
                "--nb-concepts",
                "32",
                "--top-k",
                "4",
                "--batch-size",
                String.valueOf(batch),
                "--local-steps",
                "2",
                "--max-epochs",
                "1",
                "--report-sample-rows",
                "512"));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(ROOT)
                .redirectErrorStream(true)
                .redirectOutput(new File(out.getPath() + ".log"));
        out.getParentFile().mkdirs();
        pb.environment().putAll(env);
        return pb.start();
    }

    private static int finish(Process p, File out) throws Exception {
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("spark-submit did not finish in " + TIMEOUT_S + " s; log:\n" + tail(new File(out.getPath() + ".log")));
        }
        if (p.exitValue() != 0) {
            System.err.println(tail(new File(out.getPath() + ".log")));
        }
        return p.exitValue();
    }

    private static void waitForLine(File log, String text, Process job) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (System.nanoTime() < end) {
            if (log.exists()
                    && Files.readString(log.toPath(), StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            if (!job.isAlive()) {
                fail("the job ended before '" + text + "'; log:\n" + tail(log));
            }
            Thread.sleep(100);
        }
        job.destroyForcibly();
        fail("no '" + text + "' in " + TIMEOUT_S + " s");
    }

    private static JsonNode summary(File out) throws IOException {
        return new ObjectMapper().readTree(new File(out, "summary.json"));
    }

    private static String run(List<String> cmd, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT).redirectErrorStream(true);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        String output = new String(bytes, StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed:\n" + output);
        }
        String[] lines = output.strip().split("\n");
        return cmd.contains("start") || cmd.contains("spark-home.sh") ? lines[lines.length - 1] : output;
    }

    private static String tail(File f) throws IOException {
        if (!f.exists()) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(f.toPath(), StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
