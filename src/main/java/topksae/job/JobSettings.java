package topksae.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import topksae.job.Setting.Kind;

/** The settings that belong to the job itself (input, output, resume, the built-in data set). */
public final class JobSettings {
    public static final String IO = "Input and output";
    public static final String REPORT = "Evaluation split and report";
    public static final String MLFLOW = "MLflow tracking (off unless a tracking URI is set)";
    public static final String SYNTHETIC = "Built-in synthetic activations (used when --input is empty)";

    /** Training settings of the built-in demo run (no --input) that the user did not set. */
    public static final Map<String, Object> DEMO_DEFAULTS = demoDefaults();

    static final String DEMO_DEFAULTS_TEXT = String.join(
            ", ",
            DEMO_DEFAULTS.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .toList());

    private JobSettings() {}

    private static Map<String, Object> demoDefaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("nbConcepts", 256);
        d.put("batchSize", 256);
        d.put("localSteps", 4);
        d.put("maxEpochs", 4);
        d.put("learningRate", 0.003);
        d.put("initialization", "tied");
        d.put("decoderBiasInit", "mean");
        return java.util.Collections.unmodifiableMap(d);
    }

    public static List<Setting> all() {
        return List.of(
                new Setting(
                        "input",
                        Kind.STRING,
                        "",
                        "Parquet path of the activations (local, hdfs://, s3a://, any Hadoop filesystem). "
                                + "Empty: generate a small synthetic set and train on it (then, unless set: "
                                + DEMO_DEFAULTS_TEXT + ").",
                        IO,
                        null),
                new Setting(
                        "output",
                        Kind.STRING,
                        "out/topksae",
                        "Directory (any Hadoop filesystem) for model/, summary.json, report/ and checkpoints/.",
                        IO,
                        null),
                new Setting(
                        "overwrite",
                        Kind.BOOLEAN,
                        "false",
                        "Replace an existing model and report in --output.",
                        IO,
                        null),
                new Setting(
                        "checkpointDir",
                        Kind.STRING,
                        "",
                        "Directory (any Hadoop filesystem) for training checkpoints. Empty: <output>/checkpoints.",
                        IO,
                        null),
                new Setting(
                        "checkpointInterval",
                        Kind.INT,
                        "10",
                        "Write a checkpoint (weights, optimizer state, position) every this many rounds; 0 = never.",
                        IO,
                        Setting.nonNegative()),
                new Setting(
                        "resume",
                        Kind.BOOLEAN,
                        "false",
                        "Continue from the newest checkpoint in the checkpoint directory.",
                        IO,
                        null),
                new Setting(
                        "evalFraction",
                        Kind.DOUBLE,
                        "0",
                        "Share of the input rows held out of training (a seeded random split) and scored after "
                                + "training (held-out FVU, L0, dead concepts in summary.json and the report); 0 = none.",
                        REPORT,
                        v -> (Double) v >= 0 && (Double) v < 1 ? null : "must be >= 0 and < 1"),
                new Setting(
                        "evalInput",
                        Kind.STRING,
                        "",
                        "Parquet path of separate evaluation rows (same column as the input), scored after training "
                                + "instead of a held-out share of the input.",
                        REPORT,
                        null),
                new Setting(
                        "reportSampleRows",
                        Kind.LONG,
                        "100000",
                        "Input rows encoded after training for the report (firing frequencies, strongest rows per "
                                + "concept): the first rows of every input partition, this many in all.",
                        REPORT,
                        Setting.positive()),
                new Setting(
                        "reportConcepts",
                        Kind.INT,
                        "8",
                        "Concepts shown in the report among the most frequent, and as many among the least frequent.",
                        REPORT,
                        Setting.nonNegative()),
                new Setting(
                        "reportTextCol",
                        Kind.STRING,
                        "token",
                        "Input column with the text of a row (a token), shown beside the rows that activate a concept "
                                + "when the input has it.",
                        REPORT,
                        null),
                new Setting(
                        "reportDocCol",
                        Kind.STRING,
                        "doc_id",
                        "Input column naming a row's document; when the input has it, shown rows come with the text "
                                + "of their neighbours in the same document.",
                        REPORT,
                        null),
                new Setting(
                        "reportPositionCol",
                        Kind.STRING,
                        "position",
                        "Input column with a row's position in its document (orders the context).",
                        REPORT,
                        null),
                new Setting(
                        "mlflowTrackingUri",
                        Kind.STRING,
                        "",
                        "MLflow tracking server (http://host:5000, https://..., or databricks): the run logs its "
                                + "settings, each round's metrics at step = tokens seen, the final and held-out metrics "
                                + "there. Empty: $MLFLOW_TRACKING_URI, else no tracking. Auth from "
                                + "$MLFLOW_TRACKING_TOKEN or $MLFLOW_TRACKING_USERNAME/PASSWORD. A failed call only "
                                + "logs a warning.",
                        MLFLOW,
                        null),
                new Setting(
                        "mlflowExperiment",
                        Kind.STRING,
                        "",
                        "MLflow experiment of the run, created when missing. Empty: $MLFLOW_EXPERIMENT_NAME, else "
                                + MlflowTracking.DEFAULT_EXPERIMENT
                                + ".",
                        MLFLOW,
                        null),
                new Setting(
                        "mlflowRunName",
                        Kind.STRING,
                        "",
                        "Name of the MLflow run. Empty: MLflow picks one.",
                        MLFLOW,
                        null),
                new Setting(
                        "syntheticRows",
                        Kind.INT,
                        "16384",
                        "Rows (tokens) of the synthetic set.",
                        SYNTHETIC,
                        Setting.positive()),
                new Setting(
                        "syntheticDim",
                        Kind.INT,
                        "64",
                        "Activation width of the synthetic set.",
                        SYNTHETIC,
                        Setting.positive()),
                new Setting(
                        "syntheticAtoms",
                        Kind.INT,
                        "256",
                        "Ground-truth dictionary size the synthetic set is drawn from.",
                        SYNTHETIC,
                        Setting.positive()),
                new Setting(
                        "syntheticActive",
                        Kind.INT,
                        "4",
                        "Ground-truth atoms active per synthetic row.",
                        SYNTHETIC,
                        Setting.positive()),
                new Setting(
                        "syntheticPartitions",
                        Kind.INT,
                        "4",
                        "Parquet files of the synthetic set.",
                        SYNTHETIC,
                        Setting.positive()));
    }
}
