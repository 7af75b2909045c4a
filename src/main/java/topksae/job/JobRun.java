package topksae.job;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
import topksae.spark.TopKSAEEstimator;
import topksae.spark.TopKSAEModel;
import topksae.spark.TrainingState;

/** One training run of the job: input, fit with progress and checkpoints, model, summary, report. */
public final class JobRun {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

  private final SparkSession spark;
  private final JobCommand.Parsed parsed;
  private final List<RoundListener> extraListeners;
  private final Configuration hadoop;
  private final SparkContext sc;

  /** Where the run put things, and how it ended. */
  public record Result(String model, String summary, String report, String checkpoints,
                       double fvu, long tokens, double seconds) {
    public void print(PrintStream out) {
      out.printf(Locale.ROOT, "Trained on %d tokens in %.1f s, final FVU %.4f%n", tokens, seconds, fvu);
      out.println("model:       " + model);
      out.println("summary:     " + summary);
      out.println("report:      " + report);
      out.println("checkpoints: " + checkpoints);
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
  }

  public Result run() {
    long t0 = System.nanoTime();
    String output = str("output");
    CheckpointStore checkpoints = new CheckpointStore(checkpointDir(output), hadoop);
    Path modelPath = new Path(output, "model");
    checkStart(checkpoints, modelPath);
    Dataset<Row> data = input(output);
    TopKSAEEstimator est = estimator(parsed);
    long startTokens = 0;
    if (bool("resume")) {
      est.setResumeFrom(checkpoints.dir());
      startTokens = readState(checkpoints).tokensSeen;
      LOG.info("resuming from {}/{} ({} tokens done)", checkpoints.dir(), checkpoints.latestName(), startTokens);
    }
    ProgressLog progress = new ProgressLog(sc, totalTokens(data, est), startTokens);
    est.addRoundListener(progress);
    int every = (Integer) parsed.values().get("checkpointInterval");
    if (every > 0) {
      est.addRoundListener((r, s) -> {
        if (s.roundsDone % every == 0) {
          checkpoints.write(s);
        }
      });
    }
    extraListeners.forEach(est::addRoundListener);
    sc.setJobDescription("topksae: read and cache the activations, round 1");
    TopKSAEModel model = est.fit(data);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    sc.setJobDescription("topksae: save the model and the report");
    save(model, modelPath);
    FiringStats firing = FiringCounter.count(model, data, (Long) parsed.values().get("reportSampleRows"));
    Map<String, Object> facts = facts(model, modelPath, checkpoints, trainSeconds, startTokens);
    Path summary = new Path(output, "summary.json");
    HadoopFiles.writeAtomically(summary, SummaryJson.of(facts, settingsUsed(parsed), model.summary(), firing)
        .getBytes(StandardCharsets.UTF_8), hadoop);
    Path report = ReportWriter.write(new Path(output, "report"), strings(facts), progress.rounds(),
        firing, hadoop);
    sc.setJobDescription(null);
    return new Result(modelPath.toString(), summary.toString(), report.toString(), checkpoints.dir(),
        model.summary().rounds().isEmpty() ? Double.NaN : model.summary().last().fvu(),
        model.summary().tokensSeen(), (System.nanoTime() - t0) / 1e9);
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

  private void checkStart(CheckpointStore checkpoints, Path modelPath) {
    if (bool("resume") && !checkpoints.hasCheckpoint()) {
      throw new IllegalStateException("--resume: no checkpoint in " + checkpoints.dir()
          + " (set --checkpoint-dir to the directory of the interrupted run)");
    }
    if (!bool("resume") && !bool("overwrite") && HadoopFiles.exists(modelPath, hadoop)) {
      throw new IllegalStateException(modelPath + " already holds a model: pass --overwrite, "
          + "--resume, or another --output");
    }
  }

  /** The input rows: --input, or the built-in synthetic set written once under the output. */
  private Dataset<Row> input(String output) {
    String input = str("input");
    String column = str("inputCol");
    if (input == null) {
      input = new Path(output, "synthetic-activations").toString();
      if (!(bool("resume") && HadoopFiles.exists(new Path(input), hadoop))) {
        SyntheticActivations.Spec spec = new SyntheticActivations.Spec(integer("syntheticRows"),
            integer("syntheticDim"), integer("syntheticAtoms"), integer("syntheticActive"),
            integer("syntheticPartitions"), (Long) parsed.values().get("seed"));
        sc.setJobDescription("topksae: generate synthetic activations");
        SyntheticActivations.generate(spark, spec, column).write().mode(SaveMode.Overwrite).parquet(input);
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

  private Map<String, Object> facts(TopKSAEModel model, Path modelPath, CheckpointStore checkpoints,
                                    double trainSeconds, long startTokens) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("finishedAt", Instant.now().toString());
    f.put("input", parsed.values().get("input") == null ? "synthetic" : parsed.values().get("input"));
    f.put("model", modelPath.toString());
    f.put("checkpoints", checkpoints.dir());
    f.put("resumedFromTokens", startTokens);
    f.put("sparkMaster", sc.master());
    f.put("applicationId", sc.applicationId());
    f.put("inputDim", model.config().inputShape[0]);
    f.put("nbConcepts", model.config().nbConcepts);
    f.put("topK", model.getTopK());
    f.put("trainSeconds", trainSeconds);
    if (!model.summary().rounds().isEmpty()) {
      f.put("finalFvu", model.summary().last().fvu());
      f.put("finalLoss", model.summary().last().loss());
    }
    return f;
  }

  private static Map<String, String> strings(Map<String, Object> facts) {
    Map<String, String> s = new LinkedHashMap<>();
    facts.forEach((k, v) -> s.put(k, v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d)
        : String.valueOf(v)));
    return s;
  }

  private TrainingState readState(CheckpointStore checkpoints) {
    try {
      return TrainingState.readCheckpoint(checkpoints.dir(), hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint in " + checkpoints.dir(), e);
    }
  }

  private String checkpointDir(String output) {
    String dir = str("checkpointDir");
    return dir != null ? dir : new Path(output, "checkpoints").toString();
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
