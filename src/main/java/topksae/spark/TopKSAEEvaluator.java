package topksae.spark;

import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Scores a data set transformed by a {@link TopKSAEModel} (with its reconstructionCol set) so
 * that CrossValidator and TrainValidationSplit can choose k or nbConcepts. Metrics:
 * {@code fvu} (default; centred fraction of variance unexplained, smaller is better),
 * {@code mse} (mean over all elements, smaller), {@code r2} (1 - fvu, larger),
 * {@code l0} (mean non-zero codes per row, smaller), {@code deadFraction} (share of concepts that
 * did not fire in the last window of tokens, smaller; see topksae.train.DeadLatents: here the window is
 * all the rows evaluated, whose order is not defined) and {@code neverFiredFraction} (share of concepts
 * that never fire on this data, smaller; on an evaluation set both are equal). {@link #evaluateAll}
 * adds {@code deadWindowTokens}, the window (not a metric). One distributed pass (treeAggregate); nothing but the
 * statistics reaches the driver.
 */
public class TopKSAEEvaluator extends Evaluator implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    public static final List<String> METRICS = List.of("fvu", "mse", "r2", "l0", "deadFraction", "neverFiredFraction");
    private final String uid;
    private final Param<String> metricName;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> reconstructionCol;

    public TopKSAEEvaluator() {
        this(Identifiable.randomUID("topksaeEval"));
    }

    public TopKSAEEvaluator(String uid) {
        this.uid = uid;
        metricName = new Param<>(
                this, "metricName", "metric: " + String.join(", ", METRICS), ParamValidators.inArray(METRICS));
        inputCol = new Param<>(this, "inputCol", "column of input activations");
        outputCol = new Param<>(this, "outputCol", "column of codes (ML Vector)");
        reconstructionCol = new Param<>(
                this,
                "reconstructionCol",
                "column of reconstructions; set the same reconstructionCol on the estimator or model");
        setDefault(metricName, "fvu");
        setDefault(inputCol, "features");
        setDefault(outputCol, "codes");
        setDefault(reconstructionCol, "reconstruction");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> metricName() {
        return metricName;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> reconstructionCol() {
        return reconstructionCol;
    }

    public String getMetricName() {
        return $(metricName);
    }

    public String getInputCol() {
        return $(inputCol);
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    public String getReconstructionCol() {
        return $(reconstructionCol);
    }

    public TopKSAEEvaluator setMetricName(String v) {
        return (TopKSAEEvaluator) set(metricName, v);
    }

    public TopKSAEEvaluator setInputCol(String v) {
        return (TopKSAEEvaluator) set(inputCol, v);
    }

    public TopKSAEEvaluator setOutputCol(String v) {
        return (TopKSAEEvaluator) set(outputCol, v);
    }

    public TopKSAEEvaluator setReconstructionCol(String v) {
        return (TopKSAEEvaluator) set(reconstructionCol, v);
    }

    @Override
    public double evaluate(Dataset<?> dataset) {
        return evaluateAll(dataset).get(getMetricName());
    }

    /** Every metric from one pass, in the order of {@link #METRICS}, then deadWindowTokens. */
    public Map<String, Double> evaluateAll(Dataset<?> dataset) {
        List<String> cols = List.of(dataset.columns());
        for (String c : new String[] {getInputCol(), getReconstructionCol(), getOutputCol()}) {
            if (!cols.contains(c)) {
                throw new IllegalArgumentException("column '" + c + "' is missing from " + cols + "; the evaluator"
                        + " needs the input, the codes and the reconstruction: set reconstructionCol (e.g. '"
                        + getReconstructionCol() + "') on the TopKSAEEstimator or TopKSAEModel");
            }
        }
        Dataset<Row> rows = dataset.select(
                functions.col(getInputCol()), functions.col(getReconstructionCol()), functions.col(getOutputCol()));
        EvaluationStats stats =
                rows.toJavaRDD().treeAggregate(new EvaluationStats(), EvaluationStats::add, EvaluationStats::merge, 2);
        return stats.metrics();
    }

    @Override
    public boolean isLargerBetter() {
        return getMetricName().equals("r2");
    }

    @Override
    public TopKSAEEvaluator copy(ParamMap extra) {
        return (TopKSAEEvaluator) defaultCopy(extra);
    }

    public static MLReader<TopKSAEEvaluator> read() {
        return new DefaultParamsReader<>();
    }

    public static TopKSAEEvaluator load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "TopKSAEEvaluator: uid=" + uid + ", metricName=" + getMetricName();
    }
}
