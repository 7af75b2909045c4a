package topksae.spark;

/**
 * Called on the driver after each averaging round of a fit, with the round's metrics and the
 * training state after it (the arrays are the trainer's own: copy them to keep them, never modify
 * them). Use it for progress output or your own checkpoints; see also the checkpointDir param.
 */
@FunctionalInterface
public interface RoundListener {
    void onRound(RoundRecord record, TrainingState state);

    /** Called once before the first round, when the rows are read, validated and cached. */
    default void onStart(FitPlan plan) {}
}
