package topksae.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import topksae.spark.RoundListener;
import topksae.spark.RoundRecord;
import topksae.spark.TrainingState;

/**
 * The job's run in MLflow, through MLflow's Java client: the settings as params, each round's
 * metrics at step = tokens seen (the names the Python fit logs), the final and held-out metrics,
 * tags, and the status FINISHED or FAILED. Every call runs in order on one background thread, so a
 * slow or unreachable server never holds up training; a failed call logs a warning.
 */
final class MlflowTracking implements RoundListener {
    static final String DEFAULT_EXPERIMENT = "topk-sae-spark";
    /** Seconds the end of the job waits for the calls still queued. */
    static final long FINISH_WAIT_SECONDS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(MlflowTracking.class);
    private static final int BATCH = 100; // MLflow's limit of params (and tags) in one log-batch call
    private static final int MAX_VALUE = 6000; // MLflow's limit of a param value
    private static final int WARNINGS = 3;

    /** No tracking: every call does nothing. */
    static final MlflowTracking OFF = new MlflowTracking(null, null, 0);

    /** Where to log: an empty uri means no tracking. */
    record Target(String uri, String experiment, String runName) {
        boolean enabled() {
            return !uri.isEmpty();
        }
    }

    private final Target target;
    private final MlflowClient client;
    private final long finishWaitSeconds;
    private final ExecutorService worker;
    private final AtomicInteger failures = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String runId = "";

    private MlflowTracking(Target target, MlflowClient client, long finishWaitSeconds) {
        this.target = target;
        this.finishWaitSeconds = finishWaitSeconds;
        this.client = client;
        this.worker = client == null
                ? null
                : Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "topksae-mlflow");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The target of the settings, falling back to MLflow's environment variables. */
    static Target target(Map<String, Object> settings, Map<String, String> env) {
        return new Target(
                firstSet(settings.get("mlflowTrackingUri"), env.get("MLFLOW_TRACKING_URI"), ""),
                firstSet(settings.get("mlflowExperiment"), env.get("MLFLOW_EXPERIMENT_NAME"), DEFAULT_EXPERIMENT),
                firstSet(settings.get("mlflowRunName"), null, ""));
    }

    /** Null when the client can log to uri, else why not. */
    static String problem(String uri) {
        String u = uri.toLowerCase(Locale.ROOT);
        if (u.startsWith("http://")
                || u.startsWith("https://")
                || u.equals("databricks")
                || u.startsWith("databricks://")) {
            return null;
        }
        return "the job logs to a tracking server: give its http:// or https:// address (or databricks), got '" + uri
                + "' (a local folder needs `mlflow server --backend-store-uri <folder>` in front of it)";
    }

    /** Fails on a tracking URI set in the job's settings that the client cannot use. */
    static void check(JobCommand.Parsed parsed) {
        Object uri = parsed.values().get("mlflowTrackingUri");
        String problem = uri == null ? null : problem(uri.toString().trim());
        if (problem != null) {
            throw new SettingException("--mlflow-tracking-uri (spark.topksae.mlflowTrackingUri): " + problem);
        }
    }

    /**
     * Starts the run in the background, or returns {@link #OFF} when no tracking URI is set (or
     * $MLFLOW_TRACKING_URI names something the client cannot use: a warning, not a failure).
     */
    static MlflowTracking start(
            Target target, Map<String, String> env, Map<String, String> params, Map<String, String> tags) {
        return start(target, env, params, tags, FINISH_WAIT_SECONDS);
    }

    /** As above, waiting at most finishWaitSeconds at the end for the calls still queued. */
    static MlflowTracking start(
            Target target,
            Map<String, String> env,
            Map<String, String> params,
            Map<String, String> tags,
            long finishWaitSeconds) {
        if (!target.enabled()) {
            return OFF;
        }
        String problem = problem(target.uri());
        if (problem != null) {
            LOG.warn("MLflow: no tracking ($MLFLOW_TRACKING_URI): {}", problem);
            return OFF;
        }
        MlflowTracking t = new MlflowTracking(target, client(target.uri(), env), finishWaitSeconds);
        long start = System.currentTimeMillis();
        t.submit("create the run", () -> t.create(start, params, tags));
        return t;
    }

    /** The client for uri with the credentials of MLflow's environment variables. */
    static MlflowClient client(String uri, Map<String, String> env) {
        if (uri.toLowerCase(Locale.ROOT).startsWith("databricks")) {
            return new MlflowClient(uri); // the client reads ~/.databrickscfg or $DATABRICKS_HOST/TOKEN
        }
        return new MlflowClient(creds(uri, env));
    }

    static BasicMlflowHostCreds creds(String uri, Map<String, String> env) {
        return new BasicMlflowHostCreds(
                uri.replaceAll("/+$", ""),
                blankToNull(env.get("MLFLOW_TRACKING_USERNAME")),
                blankToNull(env.get("MLFLOW_TRACKING_PASSWORD")),
                blankToNull(env.get("MLFLOW_TRACKING_TOKEN")),
                "true".equalsIgnoreCase(env.getOrDefault("MLFLOW_TRACKING_INSECURE_TLS", "")));
    }

    /** The settings as MLflow params: those with a value, less the tracking settings themselves. */
    static Map<String, String> params(Map<String, Object> settings) {
        Map<String, String> p = new LinkedHashMap<>();
        settings.forEach((name, v) -> {
            if (v != null && !name.startsWith("mlflow")) {
                String s = String.valueOf(v);
                p.put(name, s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) : s);
            }
        });
        return p;
    }

    /** The metrics of the end of a run: final training values, throughput, held-out values if any. */
    static Map<String, Double> finalMetrics(JobRun.Result r, double finalLoss, ReportData.HeldOut heldOut) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("topksae.finalFvu", r.fvu());
        m.put("topksae.finalLoss", finalLoss);
        m.put("topksae.tokensSeen", (double) r.tokens());
        m.put("topksae.secondsEndToEnd", r.seconds());
        m.put("topksae.roundSeconds", r.roundSeconds());
        if (heldOut != null) {
            m.put("topksae.heldOut.rows", (double) heldOut.rows());
            heldOut.metrics().forEach((k, v) -> m.put("topksae.heldOut." + k, v));
        }
        m.values().removeIf(v -> !Double.isFinite(v));
        return m;
    }

    /** One round as MLflow metrics, with the names the Python fit logs (non-finite values left out). */
    static Map<String, Double> roundMetrics(RoundRecord r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("topksae.loss", r.loss());
        m.put("topksae.fvu", r.fvu());
        m.put("topksae.l0", r.l0());
        m.put("topksae.deadFraction", r.deadFraction());
        m.put("topksae.neverFiredFraction", r.neverFiredFraction());
        if (r.seconds() > 0) {
            m.put("topksae.tokensPerSecond", r.tokensPerSecond());
        }
        m.values().removeIf(v -> !Double.isFinite(v));
        return m;
    }

    @Override
    public void onRound(RoundRecord record, TrainingState state) {
        if (client != null) {
            long now = System.currentTimeMillis();
            List<Metric> metrics = metrics(roundMetrics(record), record.tokensSeen(), now);
            submit("log round " + record.round(), () -> client.logBatch(runId, metrics, List.of(), List.of()));
        }
    }

    /** Logs the end-of-run metrics (at step) and tags, ends the run FINISHED, waits for the queue. */
    void finished(Map<String, Double> metrics, long step, Map<String, String> tags) {
        end(metrics, step, tags, RunStatus.FINISHED);
    }

    /** Ends the run FAILED with the error as a tag, waits for the queue. */
    void failed(Throwable error) {
        String message = String.valueOf(error.getMessage());
        end(
                Map.of(),
                0,
                Map.of("topksae.error", message.substring(0, Math.min(message.length(), MAX_VALUE))),
                RunStatus.FAILED);
    }

    /** The run's id once created ("" without tracking or when creating it failed). */
    String runId() {
        return runId;
    }

    /** Calls that failed so far. */
    int failures() {
        return failures.get();
    }

    private void end(Map<String, Double> metrics, long step, Map<String, String> tags, RunStatus status) {
        if (client == null || ended.getAndSet(true)) {
            return;
        }
        long now = System.currentTimeMillis();
        List<Metric> m = metrics(metrics, step, now);
        List<RunTag> t = tags(tags);
        submit("log the final metrics", () -> client.logBatch(runId, m, List.of(), t));
        submit("end the run " + status, () -> client.setTerminated(runId, status, now));
        worker.shutdown();
        boolean done = awaitQueue();
        if (failures.get() > 0) {
            LOG.warn("MLflow: {} call(s) to {} failed (see the warnings above)", failures.get(), target.uri());
        }
        if (done) {
            client.close(); // else a call hangs: the daemon thread ends with the JVM
        }
    }

    private boolean awaitQueue() {
        try {
            if (worker.awaitTermination(finishWaitSeconds, TimeUnit.SECONDS)) {
                return true;
            }
            LOG.warn("MLflow: {} s passed with calls still pending; the job ends without them", finishWaitSeconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void create(long start, Map<String, String> params, Map<String, String> tags) {
        CreateRun.Builder run = CreateRun.newBuilder()
                .setExperimentId(experimentId(target.experiment()))
                .setStartTime(start)
                .addAllTags(tags(tags));
        if (!target.runName().isEmpty()) {
            run.setRunName(target.runName());
        }
        String id = client.createRun(run.build()).getRunId();
        List<Param> all = new ArrayList<>();
        params.forEach(
                (k, v) -> all.add(Param.newBuilder().setKey(k).setValue(v).build()));
        for (int i = 0; i < all.size(); i += BATCH) {
            client.logBatch(id, List.of(), all.subList(i, Math.min(all.size(), i + BATCH)), List.of());
        }
        runId = id;
        LOG.info("MLflow: run {} in experiment '{}' at {}", id, target.experiment(), target.uri());
    }

    private String experimentId(String name) {
        return client.getExperimentByName(name).map(e -> e.getExperimentId()).orElseGet(() -> {
            try {
                return client.createExperiment(name);
            } catch (RuntimeException e) { // another job created it meanwhile
                return client.getExperimentByName(name).orElseThrow(() -> e).getExperimentId();
            }
        });
    }

    /** Runs call on the background thread; skipped once creating the run failed. */
    private void submit(String what, Runnable call) {
        worker.execute(() -> {
            if (runId.isEmpty() && !what.equals("create the run")) {
                return;
            }
            try {
                call.run();
            } catch (RuntimeException e) {
                int n = failures.incrementAndGet();
                if (n <= WARNINGS || runId.isEmpty()) {
                    LOG.warn("MLflow: could not {} at {}, training goes on: {}", what, target.uri(), e.toString());
                }
                LOG.debug("MLflow call", e);
            }
        });
    }

    private static List<Metric> metrics(Map<String, Double> values, long step, long time) {
        List<Metric> m = new ArrayList<>();
        values.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                m.add(Metric.newBuilder()
                        .setKey(k)
                        .setValue(v)
                        .setStep(step)
                        .setTimestamp(time)
                        .build());
            }
        });
        return m;
    }

    private static List<RunTag> tags(Map<String, String> tags) {
        List<RunTag> t = new ArrayList<>();
        tags.forEach((k, v) ->
                t.add(RunTag.newBuilder().setKey(k).setValue(v == null ? "" : v).build()));
        return t;
    }

    private static String firstSet(Object setting, String env, String fallback) {
        if (setting != null && !setting.toString().isBlank()) {
            return setting.toString().trim();
        }
        return env != null && !env.isBlank() ? env.trim() : fallback;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
