package topksae.spark;

import topksae.model.SAEConfig;
import topksae.train.TrainConfig;

/**
 * What the driver broadcasts to the workers each round: the model state, the optimizer state
 * (averaged mode, or the initial state of per-worker mode), how many steps to run, and the fixed
 * input offset, and the chunk size of the workers' results ({@link RoundExchange}). Plain float[] and serializable configs only, no INDArray.
 */
record RoundPlan(String run, SAEConfig model, TrainConfig train, float[] state, float[] optimizer,
    boolean averagedOptimizer, int maxSteps, float[] preBias, int chunkFloats) implements java.io.Serializable {
}
