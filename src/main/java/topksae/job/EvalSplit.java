package topksae.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import topksae.spark.TopKSAEEvaluator;
import topksae.spark.TopKSAEModel;

/**
 * The rows the job trains on and the rows it scores the final model on: all the input and no
 * evaluation (the default), a seeded random share of the input held out (--eval-fraction; the
 * same rows for the same seed and input files, so a resumed run holds out the same rows), or a
 * separate data set (--eval-input).
 */
record EvalSplit(Dataset<Row> train, Dataset<Row> eval, String evalFrom) {
    private static final Logger LOG = LoggerFactory.getLogger(EvalSplit.class);
    private static final String RECONSTRUCTION = "__topksae_reconstruction";

    /** Checks that need no Spark. */
    static void check(JobCommand.Parsed parsed) {
        if (parsed.values().get("evalInput") != null && (Double) parsed.values().get("evalFraction") > 0) {
            throw new IllegalArgumentException("--eval-fraction and --eval-input: set one of them, not both");
        }
    }

    static EvalSplit of(Dataset<Row> data, JobCommand.Parsed parsed, SparkSession spark, UnaryOperator<String> path) {
        check(parsed);
        double fraction = (Double) parsed.values().get("evalFraction");
        String input = path.apply("evalInput");
        if (input != null) {
            if (!HadoopFiles.exists(new Path(input), spark.sparkContext().hadoopConfiguration())) {
                throw new IllegalStateException("--eval-input (spark.topksae.evalInput): no such path: " + input);
            }
            return new EvalSplit(data, spark.read().parquet(input), input);
        }
        if (fraction <= 0) {
            return new EvalSplit(data, null, null);
        }
        long seed = (Long) parsed.values().get("seed");
        // rand(seed) draws the same value for a row each time the same files are read (seed and partition)
        return new EvalSplit(
                data.filter(functions.rand(seed).geq(fraction)),
                data.filter(functions.rand(seed).lt(fraction)),
                String.format(java.util.Locale.ROOT, "%.3g of the input held out, seed %d", fraction, seed));
    }

    /** The final model's metrics on the evaluation rows, or null without them (or when they are empty). */
    ReportData.HeldOut evaluate(TopKSAEModel model) {
        if (eval == null) {
            return null;
        }
        TopKSAEModel m = model.copy(new ParamMap()).setReconstructionCol(RECONSTRUCTION);
        TopKSAEEvaluator ev = new TopKSAEEvaluator()
                .setInputCol(m.getInputCol())
                .setOutputCol(m.getOutputCol())
                .setReconstructionCol(RECONSTRUCTION);
        try {
            Map<String, Double> metrics = new LinkedHashMap<>(ev.evaluateAll(m.transform(eval)));
            long rows = Math.round(metrics.remove("deadWindowTokens"));
            return new ReportData.HeldOut(evalFrom, rows, metrics);
        } catch (IllegalArgumentException e) {
            LOG.warn("evaluation rows ({}) not scored: {}", evalFrom, e.getMessage());
            return null;
        }
    }

    /** The held-out metrics for summary.json. */
    static Map<String, Object> json(ReportData.HeldOut h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rowsFrom", h.rowsFrom());
        m.put("rows", h.rows());
        h.metrics().forEach((k, v) -> m.put(k, Double.isFinite(v) ? v : null));
        return m;
    }
}
