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
  /** The Param objects of this instance. */
  TopKSAEParamDefs paramDefs();

  default Param<String> inputCol() { return paramDefs().inputCol; }
  default Param<String> outputCol() { return paramDefs().outputCol; }
  default Param<String> reconstructionCol() { return paramDefs().reconstructionCol; }
  default Param<String> preCodesCol() { return paramDefs().preCodesCol; }
  default IntParam nbConcepts() { return paramDefs().nbConcepts; }
  default IntParam topK() { return paramDefs().topK; }
  default Param<String> variant() { return paramDefs().variant; }
  default Param<String> encoderModule() { return paramDefs().encoderModule; }
  default Param<String> normalization() { return paramDefs().normalization; }
  default BooleanParam useMultiplier() { return paramDefs().useMultiplier; }
  default DoubleParam learningRate() { return paramDefs().learningRate; }
  default IntParam batchSize() { return paramDefs().batchSize; }
  default IntParam localSteps() { return paramDefs().localSteps; }
  default IntParam maxEpochs() { return paramDefs().maxEpochs; }
  default LongParam maxTokens() { return paramDefs().maxTokens; }
  default IntParam numWorkers() { return paramDefs().numWorkers; }
  default LongParam seed() { return paramDefs().seed; }
  default DoubleParam auxKPenalty() { return paramDefs().auxKPenalty; }
  default DoubleParam clipGrad() { return paramDefs().clipGrad; }
  default Param<String> optimizerState() { return paramDefs().optimizerState; }
  default Param<String> outerOptimizer() { return paramDefs().outerOptimizer; }
  default DoubleParam maxDroppedFraction() { return paramDefs().maxDroppedFraction; }
  default IntParam rowLength() { return paramDefs().rowLength; }
  default DoubleParam outerLearningRate() { return paramDefs().outerLearningRate; }
  default DoubleParam outerMomentum() { return paramDefs().outerMomentum; }
  default Param<String> handleInvalid() { return paramDefs().handleInvalid; }
  default Param<String> initialization() { return paramDefs().initialization; }
  default Param<String> decoderBiasInit() { return paramDefs().decoderBiasInit; }
  default LongParam deadTokens() { return paramDefs().deadTokens; }
  default Param<String> checkpointDir() { return paramDefs().checkpointDir; }
  default IntParam checkpointInterval() { return paramDefs().checkpointInterval; }
  default Param<String> resumeFrom() { return paramDefs().resumeFrom; }

  default String getInputCol() { return getOrDefault(inputCol()); }
  default String getOutputCol() { return getOrDefault(outputCol()); }
  default String getReconstructionCol() { return getOrDefault(reconstructionCol()); }
  default String getPreCodesCol() { return getOrDefault(preCodesCol()); }
  default int getNbConcepts() { return (Integer) getOrDefault(nbConcepts()); }
  /** topK if set, else max(nbConcepts / 10, 1) (the core model's default). */
  default int getTopK() {
    return isSet(topK()) ? (Integer) getOrDefault(topK()) : Math.max(getNbConcepts() / 10, 1);
  }
  default String getVariant() { return getOrDefault(variant()); }
  default String getEncoderModule() { return getOrDefault(encoderModule()); }
  default String getNormalization() { return getOrDefault(normalization()); }
  default boolean getUseMultiplier() { return (Boolean) getOrDefault(useMultiplier()); }
  default double getLearningRate() { return (Double) getOrDefault(learningRate()); }
  default int getBatchSize() { return (Integer) getOrDefault(batchSize()); }
  default int getLocalSteps() { return (Integer) getOrDefault(localSteps()); }
  default int getMaxEpochs() { return (Integer) getOrDefault(maxEpochs()); }
  default long getMaxTokens() { return (Long) getOrDefault(maxTokens()); }
  default int getNumWorkers() { return (Integer) getOrDefault(numWorkers()); }
  default long getSeed() { return (Long) getOrDefault(seed()); }
  default double getAuxKPenalty() { return (Double) getOrDefault(auxKPenalty()); }
  default double getClipGrad() { return (Double) getOrDefault(clipGrad()); }
  default String getOptimizerState() { return getOrDefault(optimizerState()); }
  default String getOuterOptimizer() { return getOrDefault(outerOptimizer()); }
  default double getOuterLearningRate() { return (Double) getOrDefault(outerLearningRate()); }
  default double getOuterMomentum() { return (Double) getOrDefault(outerMomentum()); }
  default String getHandleInvalid() { return getOrDefault(handleInvalid()); }
  default String getInitialization() { return getOrDefault(initialization()); }
  default String getDecoderBiasInit() { return getOrDefault(decoderBiasInit()); }
  default double getMaxDroppedFraction() { return (Double) getOrDefault(maxDroppedFraction()); }
  default int getRowLength() { return (Integer) getOrDefault(rowLength()); }
  default long getDeadTokens() { return (Long) getOrDefault(deadTokens()); }
  default String getCheckpointDir() { return getOrDefault(checkpointDir()); }
  default int getCheckpointInterval() { return (Integer) getOrDefault(checkpointInterval()); }
  default String getResumeFrom() { return getOrDefault(resumeFrom()); }

  /** Fails early if topK exceeds nbConcepts (the two are set independently). */
  default void validateTopK() {
    if (isSet(topK()) && getTopK() > getNbConcepts()) {
      throw new IllegalArgumentException("topK = " + getTopK() + " exceeds nbConcepts = " + getNbConcepts()
          + ": set topK to at most nbConcepts, or raise nbConcepts");
    }
  }
}
