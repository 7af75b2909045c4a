package topksae.job;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import topksae.spark.RoundListener;
import topksae.spark.RoundRecord;
import topksae.spark.TopKSAEEstimator;
import topksae.spark.TopKSAEModel;
import topksae.spark.TopKSAETrainingSummary;
import topksae.spark.TrainingState;

/** One training run of the job: input, fit with progress and checkpoints, model, summary, report. */
public final class JobRun {
    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

    private final SparkSession spark;
    private final JobCommand.Parsed parsed;
    private final List<RoundListener> extraListeners;
    private final Configuration hadoop;
    private final SparkContext sc;

    /**
     * Where the run put things, and how it ended: tokens trained in all (with those before a resume)
     * and by this run, seconds from the JVM's launch to the saved model and report, and the seconds
     * spent in this run's training rounds alone.
     */
    public record Result(
            String model,
            String summary,
            String report,
            String checkpoints,
            double fvu,
            long tokens,
            long runTokens,
            double seconds,
            double roundSeconds,
            String mlflowRun) {
        Result withMlflowRun(String run) {
            return new Result(model, summary, report, checkpoints, fvu, tokens, runTokens, seconds, roundSeconds, run);
        }

        public void print(PrintStream out) {
            String resumed = runTokens == tokens ? "" : " (" + runTokens + " by this run)";
            out.printf(
                    Locale.ROOT,
                    "Trained on %d tokens%s in %.1f s from launch to saved model (%.0f tokens/s end to "
                            + "end; %.0f tokens/s in the rounds), final FVU %.4f%n",
                    tokens,
                    resumed,
                    seconds,
                    runTokens / Math.max(seconds, 1e-9),
                    runTokens / Math.max(roundSeconds, 1e-9),
                    fvu);
            out.println("model:       " + model);
            out.println("summary:     " + summary);
            out.println("report:      " + report);
            out.println("checkpoints: " + checkpoints);
            if (!mlflowRun.isEmpty()) {
                out.println("mlflow run:  " + mlflowRun);
            }
        }
    }

    JobRun(SparkSession spark, JobCommand.Parsed parsed, List<RoundListener> extraListeners) {
        this.spark = spark;
        this.parsed = parsed;
        this.extraListeners = extraListeners;
        this.sc = spark.sparkContext();
        this.hadoop = sc.hadoopConfiguration();
    }

    /** Checks that need no Spark: the estimator accepts the values together. */
    static void check(JobCommand.Parsed parsed) {
        estimator(parsed).validateTopK();
        MlflowTracking.check(parsed);
        EvalSplit.check(parsed);
    }

    /** Runs with the output (and checkpoint) directory locked against a second run. */
    public Result run() {
        String output = path("output");
        String checkpointDir = checkpointDir(output);
        try (RunLock out = RunLock.acquire(new Path(output), "--output", hadoop);
                RunLock ckpt = under(checkpointDir, output)
                        ? null
                        : RunLock.acquire(new Path(checkpointDir), "--checkpoint-dir", hadoop)) {
            return runLocked(output, checkpointDir);
        }
    }

    private Result runLocked(String output, String checkpointDir) {
        long t0 = System.nanoTime();
        CheckpointStore checkpoints = new CheckpointStore(checkpointDir, hadoop);
        checkStart(checkpoints, new Path(output));
        MlflowTracking tracking = startTracking(output);
        try {
            return train(output, checkpoints, tracking, t0);
        } catch (RuntimeException | Error e) {
            tracking.failed(e);
            throw e;
        }
    }

    /** The MLflow run of this job (or none): the settings as params, where the job reads and writes as tags. */
    private MlflowTracking startTracking(String output) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("mlflow.source.name", TrainJob.class.getName());
        tags.put("mlflow.source.type", "JOB");
        tags.put("mlflow.user", System.getProperty("user.name", ""));
        tags.put("topksae.input", parsed.values().get("input") == null ? "synthetic" : path("input"));
        tags.put("topksae.output", output);
        tags.put("topksae.sparkMaster", sc.master());
        tags.put("topksae.applicationId", sc.applicationId());
        return MlflowTracking.start(
                MlflowTracking.target(parsed.values(), System.getenv()),
                System.getenv(),
                MlflowTracking.params(settingsUsed(parsed)),
                tags);
    }

    private Result train(String output, CheckpointStore checkpoints, MlflowTracking tracking, long t0) {
        Path modelPath = new Path(output, "model");
        Dataset<Row> data = input(output);
        EvalSplit split = EvalSplit.of(data, parsed, spark, this::path);
        TopKSAEEstimator est = estimator(parsed);
        long startTokens = 0;
        String resumedFrom = "";
        if (bool("resume")) {
            TrainingState.Loaded loaded = readState(checkpoints);
            est.setResumeFrom(checkpoints.dir() + "/" + loaded.round());
            startTokens = loaded.state().tokensSeen;
            resumedFrom = loaded.round();
            for (String skipped : loaded.skipped()) {
                LOG.warn("--resume: skipped an invalid checkpoint: {}", skipped);
            }
            LOG.info(
                    "resuming from {}/{} ({} tokens done{})",
                    checkpoints.dir(),
                    loaded.round(),
                    startTokens,
                    loaded.skipped().isEmpty()
                            ? ""
                            : "; " + loaded.skipped().size() + " newer invalid checkpoint(s) skipped");
        }
        ProgressLog progress = new ProgressLog(sc, totalTokens(split.train(), est));
        est.addRoundListener(progress);
        int every = (Integer) parsed.values().get("checkpointInterval");
        if (every > 0) {
            est.addRoundListener((r, s) -> {
                if (s.roundsDone % every == 0) {
                    checkpoints.write(s);
                }
            });
        }
        est.addRoundListener(tracking);
        extraListeners.forEach(est::addRoundListener);
        sc.setJobDescription("topksae: read and cache the activations, round 1");
        TopKSAEModel model = est.fit(split.train());
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        sc.setJobDescription("topksae: save the model and the report");
        save(model, modelPath);
        ReportSample sample = new ReportSample(data, (Long) parsed.values().get("reportSampleRows"));
        sc.setJobDescription("topksae: encode the report's sample of rows");
        ConceptDigest digest = sample.digest(model);
        FiringStats firing = digest.firing();
        sc.setJobDescription("topksae: score the evaluation rows");
        ReportData.HeldOut heldOut = split.evaluate(model);
        Map<String, Object> facts = facts(model, modelPath, checkpoints, trainSeconds, startTokens);
        facts.put("resumedFrom", resumedFrom);
        if (heldOut != null) {
            facts.put("heldOut", EvalSplit.json(heldOut));
        }
        Path summary = new Path(output, "summary.json");
        HadoopFiles.writeAtomically(
                summary,
                SummaryJson.of(facts, TrainedSettings.forSummary(settingsUsed(parsed), model), model.summary(), firing)
                        .getBytes(StandardCharsets.UTF_8),
                hadoop);
        facts.remove("heldOut");
        sc.setJobDescription("topksae: the report's concepts");
        ReportData reportData = new ReportData(
                strings(facts),
                TrainedSettings.rows(est, model, parsed),
                progress.rounds(),
                firing,
                heldOut,
                concepts(sample, model, digest));
        Path report = ReportWriter.write(new Path(output, "report"), reportData, hadoop);
        sc.setJobDescription(null);
        double roundSeconds = model.summary().rounds().stream()
                .mapToDouble(RoundRecord::seconds)
                .sum();
        Result result = new Result(
                modelPath.toString(),
                summary.toString(),
                report.toString(),
                checkpoints.dir(),
                model.summary().rounds().isEmpty()
                        ? Double.NaN
                        : model.summary().last().fvu(),
                model.summary().tokensSeen(),
                model.summary().tokensSeen() - startTokens,
                ManagementFactory.getRuntimeMXBean().getUptime() / 1e3,
                roundSeconds,
                "");
        tracking.finished(
                MlflowTracking.finalMetrics(
                        result,
                        model.summary().rounds().isEmpty()
                                ? Double.NaN
                                : model.summary().last().loss(),
                        heldOut),
                result.tokens(),
                Map.of(
                        "topksae.model", result.model(),
                        "topksae.summary", result.summary(),
                        "topksae.report", result.report(),
                        "topksae.checkpoints", result.checkpoints()));
        return tracking.runId().isEmpty() ? result : result.withMlflowRun(tracking.runId());
    }

    /** The report's concept cards; the model is saved already, so a failure here only thins the report. */
    private List<ReportData.ConceptCard> concepts(ReportSample sample, TopKSAEModel model, ConceptDigest digest) {
        ReportSample.Labels labels =
                ReportSample.labels(sample.data(), str("reportTextCol"), str("reportDocCol"), str("reportPositionCol"));
        try {
            return sample.cards(model, digest, integer("reportConcepts"), labels);
        } catch (RuntimeException e) {
            LOG.warn("report: concept section left out: {}", e.toString());
            LOG.debug("concept section", e);
            return List.of();
        }
    }

    /** True when dir is output or inside it (one lock covers both). */
    private static boolean under(String dir, String output) {
        String d = new Path(dir).toUri().getPath();
        String o = new Path(output).toUri().getPath();
        return d.equals(o) || d.startsWith(o.endsWith("/") ? o : o + "/");
    }

    /** The estimator with every training setting that has a value (plus the demo defaults). */
    static TopKSAEEstimator estimator(JobCommand.Parsed parsed) {
        TopKSAEEstimator est = new TopKSAEEstimator();
        Map<String, Object> used = settingsUsed(parsed);
        for (Setting s : ParamSettings.of(est, TrainJob.TRAINING)) {
            Object v = used.get(s.name());
            if (v != null && !TrainJob.JOB_OWNED.contains(s.name())) {
                ParamSettings.apply(est, s.name(), v);
            }
        }
        return est;
    }

    /** The settings as the run uses them: on the demo, its defaults replace the settings not given. */
    static Map<String, Object> settingsUsed(JobCommand.Parsed parsed) {
        Map<String, Object> used = new LinkedHashMap<>(parsed.values());
        if (parsed.values().get("input") == null) {
            JobSettings.DEMO_DEFAULTS.forEach((name, v) -> {
                if (!parsed.explicit().contains(name)) {
                    used.put(name, v);
                }
            });
        }
        return used;
    }

    private void checkStart(CheckpointStore checkpoints, Path output) {
        if (bool("resume") && !checkpoints.hasCheckpoint()) {
            throw new IllegalStateException("--resume: no checkpoint in " + checkpoints.dir()
                    + " (set --checkpoint-dir to the directory of the interrupted run)");
        }
        if (bool("resume") || bool("overwrite")) {
            return;
        }
        for (String name : new String[] {"model", "summary.json", "report"}) {
            Path p = new Path(output, name);
            if (HadoopFiles.exists(p, hadoop)) {
                throw new IllegalStateException(p + " exists: " + output + " holds an earlier run. Pass --overwrite, "
                        + "--resume, or another --output");
            }
        }
    }

    /** The input rows: --input, or the built-in synthetic set written once under the output. */
    private Dataset<Row> input(String output) {
        String input = path("input");
        String column = str("inputCol");
        if (input == null) {
            input = new Path(output, "synthetic-activations").toString();
            if (!(bool("resume") && HadoopFiles.exists(new Path(input), hadoop))) {
                SyntheticActivations.Spec spec = new SyntheticActivations.Spec(
                        integer("syntheticRows"),
                        integer("syntheticDim"),
                        integer("syntheticAtoms"),
                        integer("syntheticActive"),
                        integer("syntheticPartitions"),
                        (Long) parsed.values().get("seed"));
                sc.setJobDescription("topksae: generate synthetic activations");
                SyntheticActivations.generate(spark, spec, column)
                        .write()
                        .mode(SaveMode.Overwrite)
                        .parquet(input);
                LOG.info("generated {} synthetic activation rows of width {} in {}", spec.rows(), spec.dim(), input);
            }
        }
        if (!HadoopFiles.exists(new Path(input), hadoop)) {
            throw new IllegalStateException("--input (spark.topksae.input): no such path: " + input);
        }
        return spark.read().parquet(input);
    }

    private long totalTokens(Dataset<Row> data, TopKSAEEstimator est) {
        sc.setJobDescription("topksae: count the input rows");
        long total = data.count() * est.getMaxEpochs();
        return est.getMaxTokens() > 0 ? Math.min(total, est.getMaxTokens()) : total;
    }

    private void save(TopKSAEModel model, Path modelPath) {
        try {
            model.write().overwrite().save(modelPath.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + modelPath, e);
        }
    }

    private Map<String, Object> facts(
            TopKSAEModel model, Path modelPath, CheckpointStore checkpoints, double trainSeconds, long startTokens) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("finishedAt", Instant.now().toString());
        f.put(
                "input",
                parsed.values().get("input") == null
                        ? "synthetic"
                        : parsed.values().get("input"));
        f.put("model", modelPath.toString());
        f.put("checkpoints", checkpoints.dir());
        f.put("resumedFromTokens", startTokens);
        f.put("sparkMaster", sc.master());
        f.put("applicationId", sc.applicationId());
        f.put("inputDim", model.config().inputShape[0]);
        f.put("nbConcepts", model.config().nbConcepts);
        f.put("topK", model.getTopK());
        f.put("trainSeconds", trainSeconds);
        f.put("skippedRows", model.summary().skippedRows());
        f.put("rejectedRounds", model.summary().rejectedRounds());
        f.put("droppedWorkers", model.summary().droppedWorkers());
        f.put("droppedTokens", model.summary().droppedTokens());
        TopKSAETrainingSummary.RecipeValues recipe = model.summary().recipe();
        if (recipe != null) {
            f.put("learningRate", recipe.learningRate());
            f.put("lrSchedule", recipe.lrSchedule());
            f.put("localSteps", recipe.localSteps());
            f.put("outerLearningRate", recipe.outerLearningRate());
        }
        if (!model.summary().rounds().isEmpty()) {
            f.put("finalFvu", model.summary().last().fvu());
            f.put("finalLoss", model.summary().last().loss());
        }
        return f;
    }

    private static Map<String, String> strings(Map<String, Object> facts) {
        Map<String, String> s = new LinkedHashMap<>();
        facts.forEach(
                (k, v) -> s.put(k, v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : String.valueOf(v)));
        return s;
    }

    private TrainingState.Loaded readState(CheckpointStore checkpoints) {
        try {
            return TrainingState.load(checkpoints.dir(), hadoop);
        } catch (IOException e) {
            throw new IllegalStateException("--resume: " + e.getMessage(), e);
        }
    }

    private String checkpointDir(String output) {
        String dir = path("checkpointDir");
        return dir != null ? dir : new Path(output, "checkpoints").toString();
    }

    /**
     * A path setting; a relative local path resolves against the caller's directory when the
     * launcher says which it was (TOPKSAE_CALLER_DIR, set by scripts/train.sh, which runs from the
     * repository root), else against the working directory.
     */
    String path(String name) {
        return resolve(str(name), System.getenv("TOPKSAE_CALLER_DIR"));
    }

    /** p against callerDir when p is a relative path without a scheme and callerDir is set. */
    static String resolve(String p, String callerDir) {
        if (p == null
                || callerDir == null
                || callerDir.isEmpty()
                || new Path(p).toUri().getScheme() != null
                || new Path(p).isAbsolute()) {
            return p;
        }
        return java.nio.file.Path.of(callerDir).resolve(p).normalize().toString();
    }

    private String str(String name) {
        return (String) parsed.values().get(name);
    }

    private int integer(String name) {
        return (Integer) parsed.values().get(name);
    }

    private boolean bool(String name) {
        return (Boolean) parsed.values().get(name);
    }
}
