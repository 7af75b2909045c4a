package topksae.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * Params shared by {@link TopKSAEEstimator} and {@link TopKSAEModel}. Each Param is exposed by a
 * public no-argument method (Spark discovers Params that way); the objects live in
 * {@link TopKSAEParamDefs}, created once per owner.
 */
public interface TopKSAEParams extends Params {
    /** The dead-concept window when deadTokens is unset and an epoch is longer: the paper's 10M tokens. */
    long AUTO_DEAD_TOKENS = 10_000_000L;

    /** The Param objects of this instance. */
    TopKSAEParamDefs paramDefs();

    default Param<String> inputCol() {
        return paramDefs().inputCol;
    }

    default Param<String> outputCol() {
        return paramDefs().outputCol;
    }

    default Param<String> reconstructionCol() {
        return paramDefs().reconstructionCol;
    }

    default Param<String> preCodesCol() {
        return paramDefs().preCodesCol;
    }

    default IntParam nbConcepts() {
        return paramDefs().nbConcepts;
    }

    default IntParam topK() {
        return paramDefs().topK;
    }

    default Param<String> variant() {
        return paramDefs().variant;
    }

    default Param<String> encoderModule() {
        return paramDefs().encoderModule;
    }

    default Param<String> normalization() {
        return paramDefs().normalization;
    }

    default BooleanParam useMultiplier() {
        return paramDefs().useMultiplier;
    }

    default DoubleParam learningRate() {
        return paramDefs().learningRate;
    }

    default IntParam batchSize() {
        return paramDefs().batchSize;
    }

    default IntParam localSteps() {
        return paramDefs().localSteps;
    }

    default IntParam maxEpochs() {
        return paramDefs().maxEpochs;
    }

    default LongParam maxTokens() {
        return paramDefs().maxTokens;
    }

    default IntParam numWorkers() {
        return paramDefs().numWorkers;
    }

    default LongParam seed() {
        return paramDefs().seed;
    }

    default DoubleParam auxKPenalty() {
        return paramDefs().auxKPenalty;
    }

    default DoubleParam clipGrad() {
        return paramDefs().clipGrad;
    }

    default Param<String> optimizerState() {
        return paramDefs().optimizerState;
    }

    default Param<String> outerOptimizer() {
        return paramDefs().outerOptimizer;
    }

    default DoubleParam maxDroppedFraction() {
        return paramDefs().maxDroppedFraction;
    }

    default IntParam rowLength() {
        return paramDefs().rowLength;
    }

    default DoubleParam outerLearningRate() {
        return paramDefs().outerLearningRate;
    }

    default DoubleParam outerMomentum() {
        return paramDefs().outerMomentum;
    }

    default Param<String> batchScope() {
        return paramDefs().batchScope;
    }

    default Param<String> handleInvalid() {
        return paramDefs().handleInvalid;
    }

    default Param<String> initialization() {
        return paramDefs().initialization;
    }

    default Param<String> decoderBiasInit() {
        return paramDefs().decoderBiasInit;
    }

    default LongParam deadTokens() {
        return paramDefs().deadTokens;
    }

    default Param<String> auxKMode() {
        return paramDefs().auxKMode;
    }

    default IntParam kAux() {
        return paramDefs().kAux;
    }

    default BooleanParam decoderGradProjection() {
        return paramDefs().decoderGradProjection;
    }

    default Param<String> checkpointDir() {
        return paramDefs().checkpointDir;
    }

    default IntParam checkpointInterval() {
        return paramDefs().checkpointInterval;
    }

    default Param<String> resumeFrom() {
        return paramDefs().resumeFrom;
    }

    default Param<String> lrSchedule() {
        return paramDefs().lrSchedule;
    }

    default IntParam warmupSteps() {
        return paramDefs().warmupSteps;
    }

    default DoubleParam warmupFraction() {
        return paramDefs().warmupFraction;
    }

    default DoubleParam decayFraction() {
        return paramDefs().decayFraction;
    }

    default DoubleParam finalLrFraction() {
        return paramDefs().finalLrFraction;
    }

    default String getInputCol() {
        return getOrDefault(inputCol());
    }

    default String getOutputCol() {
        return getOrDefault(outputCol());
    }

    default String getReconstructionCol() {
        return getOrDefault(reconstructionCol());
    }

    default String getPreCodesCol() {
        return getOrDefault(preCodesCol());
    }

    default int getNbConcepts() {
        return (Integer) getOrDefault(nbConcepts());
    }
    /** topK if set, else max(nbConcepts / 10, 1) (the core model's default). */
    default int getTopK() {
        return isSet(topK()) ? (Integer) getOrDefault(topK()) : Math.max(getNbConcepts() / 10, 1);
    }

    default String getVariant() {
        return getOrDefault(variant());
    }

    default String getEncoderModule() {
        return getOrDefault(encoderModule());
    }

    default String getNormalization() {
        return getOrDefault(normalization());
    }

    default boolean getUseMultiplier() {
        return (Boolean) getOrDefault(useMultiplier());
    }
    /** learningRate as set, or its default; 0 (also when unset without a default) = automatic. */
    default double getLearningRate() {
        return isDefined(learningRate()) ? (Double) getOrDefault(learningRate()) : 0.0;
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default int getLocalSteps() {
        return (Integer) getOrDefault(localSteps());
    }

    default int getMaxEpochs() {
        return (Integer) getOrDefault(maxEpochs());
    }

    default long getMaxTokens() {
        return (Long) getOrDefault(maxTokens());
    }

    default int getNumWorkers() {
        return (Integer) getOrDefault(numWorkers());
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default double getAuxKPenalty() {
        return (Double) getOrDefault(auxKPenalty());
    }

    default double getClipGrad() {
        return (Double) getOrDefault(clipGrad());
    }

    default String getOptimizerState() {
        return getOrDefault(optimizerState());
    }

    default String getOuterOptimizer() {
        return getOrDefault(outerOptimizer());
    }

    default double getOuterLearningRate() {
        return (Double) getOrDefault(outerLearningRate());
    }

    default double getOuterMomentum() {
        return (Double) getOrDefault(outerMomentum());
    }

    default String getBatchScope() {
        return getOrDefault(batchScope());
    }

    default String getHandleInvalid() {
        return getOrDefault(handleInvalid());
    }

    default String getInitialization() {
        return getOrDefault(initialization());
    }

    default String getDecoderBiasInit() {
        return getOrDefault(decoderBiasInit());
    }

    default double getMaxDroppedFraction() {
        return (Double) getOrDefault(maxDroppedFraction());
    }

    default int getRowLength() {
        return (Integer) getOrDefault(rowLength());
    }
    /** The dead-concept window: deadTokens if set, else min(10M, tokensPerEpoch). */
    default long getDeadTokens(long tokensPerEpoch) {
        return isSet(deadTokens())
                ? (Long) getOrDefault(deadTokens())
                : Math.max(1, Math.min(AUTO_DEAD_TOKENS, tokensPerEpoch));
    }
    /** deadTokens if set, else 0 (automatic: see {@link #getDeadTokens(long)}). */
    default long getDeadTokens() {
        return isSet(deadTokens()) ? (Long) getOrDefault(deadTokens()) : 0L;
    }

    default String getAuxKMode() {
        return getOrDefault(auxKMode());
    }
    /** kAux if set, else min(512, max(nbConcepts / 2, 1)). */
    default int getKAux() {
        return isSet(kAux()) ? (Integer) getOrDefault(kAux()) : Math.min(512, Math.max(getNbConcepts() / 2, 1));
    }

    default boolean getDecoderGradProjection() {
        return (Boolean) getOrDefault(decoderGradProjection());
    }

    default String getCheckpointDir() {
        return getOrDefault(checkpointDir());
    }

    default int getCheckpointInterval() {
        return (Integer) getOrDefault(checkpointInterval());
    }

    default String getResumeFrom() {
        return getOrDefault(resumeFrom());
    }

    default String getLrSchedule() {
        return getOrDefault(lrSchedule());
    }

    default int getWarmupSteps() {
        return (Integer) getOrDefault(warmupSteps());
    }

    default double getWarmupFraction() {
        return (Double) getOrDefault(warmupFraction());
    }

    default double getDecayFraction() {
        return (Double) getOrDefault(decayFraction());
    }

    default double getFinalLrFraction() {
        return (Double) getOrDefault(finalLrFraction());
    }

    /** Fails early if topK exceeds nbConcepts (the two are set independently). */
    default void validateTopK() {
        if (isSet(topK()) && getTopK() > getNbConcepts()) {
            throw new IllegalArgumentException("topK = " + getTopK() + " exceeds nbConcepts = " + getNbConcepts()
                    + ": set topK to at most nbConcepts, or raise nbConcepts");
        }
    }
}
