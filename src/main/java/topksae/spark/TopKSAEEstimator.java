package topksae.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import topksae.model.SAEConfig;
import topksae.train.TrainConfig;

/**
 * Trains a TopK sparse autoencoder on a column of activations with data-parallel rounds of local
 * steps and parameter averaging (see docs/spark.md).
 *
 * <pre>{@code
 * TopKSAEModel model = new TopKSAEEstimator().setInputCol("x").setNbConcepts(4096).setTopK(32).fit(df);
 * }</pre>
 */
public class TopKSAEEstimator extends Estimator<TopKSAEModel> implements TopKSAEParams, DefaultParamsWritable {
    private final String uid;
    private final TopKSAEParamDefs defs;
    private transient List<RoundListener> listeners = new ArrayList<>();

    public TopKSAEEstimator(String uid) {
        this.uid = uid;
        this.defs = new TopKSAEParamDefs(this);
    }

    public TopKSAEEstimator() {
        this(Identifiable.randomUID("topksae"));
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public TopKSAEParamDefs paramDefs() {
        return defs;
    }

    /** Adds a driver-side callback run after each averaging round (not persisted with the estimator). */
    public TopKSAEEstimator addRoundListener(RoundListener l) {
        listeners().add(l);
        return this;
    }

    private List<RoundListener> listeners() {
        if (listeners == null) {
            listeners = new ArrayList<>();
        }
        return listeners;
    }

    @Override
    public TopKSAEModel fit(Dataset<?> dataset) {
        try {
            return fitOrThrow(dataset);
        } catch (Exception e) { // Spark wraps a task's exception in SparkException (checked, undeclared)
            InvalidRowException row = InvalidRowException.find(e);
            if (row != null && row != e) {
                throw new InvalidRowException(row.getMessage(), e);
            }
            throw TopKSAEEstimator.<RuntimeException>rethrow(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Exception> T rethrow(Exception e) throws T {
        throw (T) e;
    }

    private TopKSAEModel fitOrThrow(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        @SuppressWarnings("unchecked")
        Dataset<Row> df = (Dataset<Row>) dataset;
        SparkSession spark = df.sparkSession();
        InputColumn col = InputColumn.of(df.schema(), getInputCol());
        TrainingState resume = resumeState(spark);
        if (resume != null) {
            requireSameShape(resume.config);
        }
        int dim = resume != null ? resume.config.inputShape[0] : TrainingData.inferDim(df, col, getRowLength());
        SAEConfig config = resume != null ? resume.config : modelConfig(dim);
        int workers =
                getNumWorkers() > 0 ? getNumWorkers() : spark.sparkContext().defaultParallelism();
        MemoryPreflight.run(spark.sparkContext(), config, this, workers);
        TrainingData data = TrainingData.prepare(
                df,
                col,
                dim,
                workers,
                Recipe.localSteps(this, workers),
                Recipe.workerBatch(this, workers),
                getSeed(),
                "skip".equals(getHandleInvalid()));
        try {
            FitPlan plan =
                    FitPlan.of(this, data.rows, data.workers, data.rounds, resume == null ? 0 : resume.tokensSeen);
            listeners().forEach(l -> l.onStart(plan));
            DistributedFit fit = new DistributedFit(
                    spark, this, data, config, trainConfig(workers, visibleTokens(data.rows)), listeners(), resume);
            float[] state = resume == null ? fit.run(0, 0) : fit.run(resume.epoch, resume.nextRound);
            TopKSAEModel model = new TopKSAEModel(uid, config, state, fit.preBias());
            model.setSummary(fit.summary());
            return copyValues(model, ParamMap.empty()).setParent(this);
        } finally {
            data.release();
        }
    }

    /** Refuses to resume a checkpoint whose model differs from the one these params describe. */
    private void requireSameShape(SAEConfig checkpoint) {
        int dim = getRowLength() > 0 ? getRowLength() : checkpoint.inputShape[0];
        List<String> diffs = ModelShape.differences(checkpoint, modelConfig(dim));
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("cannot resume from " + getResumeFrom() + ": the checkpoint's model "
                    + "differs from this run's settings: " + String.join("; ", diffs)
                    + ". Resume with the checkpoint's "
                    + "settings, or start a fresh run in another output/checkpoint directory.");
        }
    }

    /** The core model's config from the params, for rows of length dim. */
    public SAEConfig modelConfig(int dim) {
        SAEConfig c = new SAEConfig();
        c.variant = getVariant();
        c.inputShape = new int[] {dim};
        c.nbConcepts = getNbConcepts();
        c.topK = getTopK();
        c.encoder = getEncoderModule();
        c.normalization = getNormalization();
        c.useMultiplier = getUseMultiplier();
        c.seed = getSeed();
        return c;
    }

    /** Tokens one epoch shows the model (all rows, or maxTokens when that is smaller). */
    long visibleTokens(long rows) {
        return getMaxTokens() > 0 ? Math.min(rows, getMaxTokens()) : rows;
    }

    /**
     * The core trainer's config from the params, for a fit with this many workers (the automatic
     * learningRate needs it) whose epoch shows tokensPerEpoch tokens (the automatic dead window).
     */
    public TrainConfig trainConfig(int workers, long tokensPerEpoch) {
        TrainConfig t = trainConfig(workers);
        t.deadTokens = getDeadTokens(tokensPerEpoch);
        return t;
    }

    /** The core trainer's config from the params, for numWorkers workers (1 if unset; deadTokens unset: the paper's 10M tokens). */
    public TrainConfig trainConfig() {
        return trainConfig(Math.max(1, getNumWorkers()));
    }

    /** The core trainer's config from the params for a fit with this many workers (the dead-latent window and the Python side use it). */
    public TrainConfig trainConfig(int workers) {
        TrainConfig t = new TrainConfig();
        t.lr = Recipe.learningRate(this);
        t.clipGrad = getClipGrad();
        t.auxKPenalty = getAuxKPenalty();
        t.auxKMode = getAuxKMode();
        t.kAux = getKAux();
        t.decoderGradProjection = getDecoderGradProjection();
        t.deadTokens = getDeadTokens(AUTO_DEAD_TOKENS);
        return t;
    }

    private TrainingState resumeState(SparkSession spark) {
        if (getResumeFrom().isEmpty()) {
            return null;
        }
        try {
            return TrainingState.readCheckpoint(
                    getResumeFrom(), spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint in resumeFrom = " + getResumeFrom(), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        validateTopK();
        return SchemaCheck.transformSchema(this, schema);
    }

    @Override
    public TopKSAEEstimator copy(ParamMap extra) {
        TopKSAEEstimator c = defaultCopy(extra);
        c.listeners().addAll(listeners());
        return c;
    }

    public static MLReader<TopKSAEEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static TopKSAEEstimator load(String path) {
        return read().load(path);
    }

    public TopKSAEEstimator setInputCol(String v) {
        set(inputCol(), v);
        return this;
    }

    public TopKSAEEstimator setOutputCol(String v) {
        set(outputCol(), v);
        return this;
    }

    public TopKSAEEstimator setReconstructionCol(String v) {
        set(reconstructionCol(), v);
        return this;
    }

    public TopKSAEEstimator setPreCodesCol(String v) {
        set(preCodesCol(), v);
        return this;
    }

    public TopKSAEEstimator setNbConcepts(int v) {
        set(nbConcepts(), v);
        return this;
    }

    public TopKSAEEstimator setTopK(int v) {
        set(topK(), v);
        return this;
    }

    public TopKSAEEstimator setVariant(String v) {
        set(variant(), v);
        return this;
    }

    public TopKSAEEstimator setEncoderModule(String v) {
        set(encoderModule(), v);
        return this;
    }

    public TopKSAEEstimator setNormalization(String v) {
        set(normalization(), v);
        return this;
    }

    public TopKSAEEstimator setUseMultiplier(boolean v) {
        set(useMultiplier(), v);
        return this;
    }

    public TopKSAEEstimator setLearningRate(double v) {
        set(learningRate(), v);
        return this;
    }

    public TopKSAEEstimator setBatchSize(int v) {
        set(batchSize(), v);
        return this;
    }

    public TopKSAEEstimator setLocalSteps(int v) {
        set(localSteps(), v);
        return this;
    }

    public TopKSAEEstimator setMaxEpochs(int v) {
        set(maxEpochs(), v);
        return this;
    }

    public TopKSAEEstimator setMaxTokens(long v) {
        set(maxTokens(), v);
        return this;
    }

    public TopKSAEEstimator setNumWorkers(int v) {
        set(numWorkers(), v);
        return this;
    }

    public TopKSAEEstimator setSeed(long v) {
        set(seed(), v);
        return this;
    }

    public TopKSAEEstimator setAuxKPenalty(double v) {
        set(auxKPenalty(), v);
        return this;
    }

    public TopKSAEEstimator setClipGrad(double v) {
        set(clipGrad(), v);
        return this;
    }

    public TopKSAEEstimator setOptimizerState(String v) {
        set(optimizerState(), v);
        return this;
    }

    public TopKSAEEstimator setOuterOptimizer(String v) {
        set(outerOptimizer(), v);
        return this;
    }

    public TopKSAEEstimator setOuterLearningRate(double v) {
        set(outerLearningRate(), v);
        return this;
    }

    public TopKSAEEstimator setOuterMomentum(double v) {
        set(outerMomentum(), v);
        return this;
    }

    public TopKSAEEstimator setBatchScope(String v) {
        set(batchScope(), v);
        return this;
    }

    public TopKSAEEstimator setMaxDroppedFraction(double v) {
        set(maxDroppedFraction(), v);
        return this;
    }

    public TopKSAEEstimator setRowLength(int v) {
        set(rowLength(), v);
        return this;
    }

    public TopKSAEEstimator setHandleInvalid(String v) {
        set(handleInvalid(), v);
        return this;
    }

    public TopKSAEEstimator setInitialization(String v) {
        set(initialization(), v);
        return this;
    }

    public TopKSAEEstimator setDecoderBiasInit(String v) {
        set(decoderBiasInit(), v);
        return this;
    }

    public TopKSAEEstimator setDeadTokens(long v) {
        set(deadTokens(), v);
        return this;
    }

    public TopKSAEEstimator setAuxKMode(String v) {
        set(auxKMode(), v);
        return this;
    }

    public TopKSAEEstimator setKAux(int v) {
        set(kAux(), v);
        return this;
    }

    public TopKSAEEstimator setDecoderGradProjection(boolean v) {
        set(decoderGradProjection(), v);
        return this;
    }

    public TopKSAEEstimator setCheckpointDir(String v) {
        set(checkpointDir(), v);
        return this;
    }

    public TopKSAEEstimator setCheckpointInterval(int v) {
        set(checkpointInterval(), v);
        return this;
    }

    public TopKSAEEstimator setResumeFrom(String v) {
        set(resumeFrom(), v);
        return this;
    }

    public TopKSAEEstimator setLrSchedule(String v) {
        set(lrSchedule(), v);
        return this;
    }

    public TopKSAEEstimator setWarmupSteps(int v) {
        set(warmupSteps(), v);
        return this;
    }

    public TopKSAEEstimator setWarmupFraction(double v) {
        set(warmupFraction(), v);
        return this;
    }

    public TopKSAEEstimator setDecayFraction(double v) {
        set(decayFraction(), v);
        return this;
    }

    public TopKSAEEstimator setFinalLrFraction(double v) {
        set(finalLrFraction(), v);
        return this;
    }
}
