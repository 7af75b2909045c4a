package topksae.spark;

import topksae.model.SAEConfig;
import topksae.train.LrSchedule;
import topksae.train.TrainConfig;

/**
 * What the driver broadcasts to the workers each round: the model state and the optimizer state
 * (averaged mode, or the initial state of per-worker mode) as chunked broadcasts ({@link StateBroadcast}), how many steps to run, the fixed
 * input offset, for the paper AuxK the merged dead-concept state (deadSeen tokens, each concept's
 * last firing as in topksae.train.DeadLatents#lastFired; null without it), and the learning-rate
 * schedule with the global step of the round's first local step, and the chunk size of the
 * workers' results ({@link RoundExchange}). Plain arrays and serializable configs only, no INDArray.
 */
record RoundPlan(
        String run,
        SAEConfig model,
        TrainConfig train,
        StateBroadcast state,
        boolean averagedOptimizer,
        int maxSteps,
        float[] preBias,
        long deadSeen,
        long[] lastFired,
        LrSchedule lr,
        long firstStep,
        int chunkFloats)
        implements java.io.Serializable {}
