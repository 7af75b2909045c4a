package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import topksae.spark.RoundRecord;

/** The job's MLflow settings, the param and metric mapping, and a server that is down or hangs. */
class MlflowTrackingTest {
    private static final RoundRecord ROUND =
            new RoundRecord(0, 3, 1000, 4000, 0.5, 0.25, 8, 0.1, 0.05, 2000, 2.0, 0.1, 2, 0);

    @Test
    void settingWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://env:5000", "MLFLOW_EXPERIMENT_NAME", "envExp");
        Map<String, Object> set = new HashMap<>();
        set.put("mlflowTrackingUri", "http://flag:5000");
        set.put("mlflowExperiment", "flagExp");
        set.put("mlflowRunName", "r1");
        assertEquals(new MlflowTracking.Target("http://flag:5000", "flagExp", "r1"), MlflowTracking.target(set, env));
        assertEquals(new MlflowTracking.Target("http://env:5000", "envExp", ""), MlflowTracking.target(Map.of(), env));
        MlflowTracking.Target none = MlflowTracking.target(Map.of(), Map.of());
        assertEquals(new MlflowTracking.Target("", MlflowTracking.DEFAULT_EXPERIMENT, ""), none);
        assertFalse(none.enabled());
        assertSame(MlflowTracking.OFF, MlflowTracking.start(none, Map.of(), Map.of(), Map.of()));
    }

    @Test
    void onlyServerUrisAreAccepted() {
        for (String ok :
                List.of("http://127.0.0.1:5000", "HTTPS://mlflow.example/", "databricks", "databricks://prof")) {
            assertNull(MlflowTracking.problem(ok), ok);
        }
        for (String bad : List.of("file:/tmp/mlruns", "./mlruns", "sqlite:///m.db")) {
            assertTrue(MlflowTracking.problem(bad).contains("mlflow server"), bad);
        }
        // from the environment: no tracking, not a failure
        MlflowTracking.Target envFile = MlflowTracking.target(Map.of(), Map.of("MLFLOW_TRACKING_URI", "file:./mlruns"));
        assertSame(MlflowTracking.OFF, MlflowTracking.start(envFile, Map.of(), Map.of(), Map.of()));
    }

    @Test
    void aBadUriInTheSettingsStopsTheJobBeforeSpark() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TrainJob.run(
                new String[] {"--mlflow-tracking-uri", "file:/tmp/mlruns"},
                Map.of(),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--mlflow-tracking-uri"), err.toString());
    }

    @Test
    void credentialsComeFromMlflowsVariables() {
        BasicMlflowHostCreds token = MlflowTracking.creds("https://h/", Map.of("MLFLOW_TRACKING_TOKEN", "t0k"));
        assertEquals("https://h", token.getHost());
        assertEquals("t0k", token.getToken());
        assertNull(token.getUsername());
        BasicMlflowHostCreds basic = MlflowTracking.creds(
                "http://h",
                Map.of(
                        "MLFLOW_TRACKING_USERNAME",
                        "ann",
                        "MLFLOW_TRACKING_PASSWORD",
                        "pw",
                        "MLFLOW_TRACKING_INSECURE_TLS",
                        "true"));
        assertEquals("ann", basic.getUsername());
        assertEquals("pw", basic.getPassword());
        assertNull(basic.getToken());
        assertTrue(basic.shouldIgnoreTlsVerification());
        assertNull(MlflowTracking.creds("http://h", Map.of()).getToken());
    }

    @Test
    void paramsAreTheSettingsWithAValueLessTheTrackingOnes() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("topK", 32);
        s.put("learningRate", 0.003);
        s.put("input", null);
        s.put("mlflowTrackingUri", "http://h");
        s.put("note", "x".repeat(7000));
        Map<String, String> p = MlflowTracking.params(s);
        assertEquals(List.of("topK", "learningRate", "note"), List.copyOf(p.keySet()));
        assertEquals("32", p.get("topK"));
        assertEquals("0.003", p.get("learningRate"));
        assertEquals(6000, p.get("note").length());
    }

    /** The job's round metrics carry exactly the names the Python fit logs (read from its source). */
    @Test
    void roundMetricsHaveThePythonFitsNames() throws IOException {
        String py = Files.readString(Path.of("src/main/python/topksae/spark/_mlflow.py"));
        Set<String> pythonNames = new TreeSet<>();
        Matcher m = Pattern.compile("\"(topksae\\.[A-Za-z0-9]+)\"").matcher(py);
        while (m.find()) {
            pythonNames.add(m.group(1));
        }
        Map<String, Double> metrics = MlflowTracking.roundMetrics(ROUND);
        assertEquals(pythonNames, new TreeSet<>(metrics.keySet()));
        assertEquals(0.25, metrics.get("topksae.fvu"));
        assertEquals(8.0, metrics.get("topksae.l0"));
        assertEquals(500.0, metrics.get("topksae.tokensPerSecond")); // 1000 tokens in 2 s
    }

    @Test
    void nonFiniteValuesAndZeroSecondsAreLeftOut() {
        RoundRecord r = new RoundRecord(0, 1, 10, 10, Double.NaN, 0.5, 4, 0, 0, 10, 0, 0, 1, 0);
        Map<String, Double> m = MlflowTracking.roundMetrics(r);
        assertFalse(m.containsKey("topksae.loss"));
        assertFalse(m.containsKey("topksae.tokensPerSecond"));
        assertEquals(0.5, m.get("topksae.fvu"));
    }

    @Test
    void finalMetricsIncludeTheHeldOutOnes() {
        JobRun.Result r = new JobRun.Result("m", "s", "r", "c", 0.2, 5000, 5000, 12.0, 8.0, "");
        ReportData.HeldOut h = new ReportData.HeldOut("evalFraction", 100, Map.of("fvu", 0.3, "l0", Double.NaN));
        Map<String, Double> m = MlflowTracking.finalMetrics(r, 0.7, h);
        assertEquals(0.2, m.get("topksae.finalFvu"));
        assertEquals(0.7, m.get("topksae.finalLoss"));
        assertEquals(5000.0, m.get("topksae.tokensSeen"));
        assertEquals(0.3, m.get("topksae.heldOut.fvu"));
        assertEquals(100.0, m.get("topksae.heldOut.rows"));
        assertFalse(m.containsKey("topksae.heldOut.l0"));
        assertFalse(MlflowTracking.finalMetrics(r, 0.7, null).containsKey("topksae.heldOut.rows"));
    }

    @Test
    void aClosedPortOnlyWarns() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MlflowTracking t = MlflowTracking.start(
                new MlflowTracking.Target("http://127.0.0.1:" + port, "e", ""),
                Map.of(),
                Map.of("k", "v"),
                Map.of(),
                60);
        t.onRound(ROUND, null);
        t.finished(Map.of("topksae.finalFvu", 0.1), 4000, Map.of());
        t.failed(new IllegalStateException("ignored: the run ended already"));
        assertEquals("", t.runId());
        assertEquals(1, t.failures()); // creating the run failed; the later calls were skipped
    }

    /** A server that accepts and never answers: the rounds do not wait for it, the end waits a bounded time. */
    @Test
    void aHangingServerDoesNotHoldUpTheRounds() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket held = server.accept()) {
                    Thread.sleep(60_000);
                } catch (IOException | InterruptedException e) {
                    // the test ended
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            MlflowTracking t = MlflowTracking.start(
                    new MlflowTracking.Target("http://127.0.0.1:" + server.getLocalPort(), "e", ""),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    1);
            for (int i = 0; i < 100; i++) {
                t.onRound(ROUND, null); // queued behind the hanging create call
            }
            assertEquals("", t.runId());
            t.finished(Map.of(), 0, Map.of()); // gives up after 1 s
            assertEquals("", t.runId());
            assertEquals(0, t.failures(), "the create call is still waiting, not failed");
            acceptor.interrupt();
        }
    }
}
