package topksae.spark;

import java.util.Collections;
import java.util.List;

/**
 * What a fit did: one {@link RoundRecord} per averaging round, the rows used and skipped, the
 * rounds whose averaged update was rejected as non-finite, the workers' results dropped as
 * non-finite (and their tokens), and the layout (workers, rounds per epoch).
 */
public final class TopKSAETrainingSummary implements java.io.Serializable {
    private final List<RoundRecord> rounds;
    private final long validRows;
    private final long skippedNullRows;
    private final long skippedWrongLengthRows;
    private final long skippedNonFiniteRows;
    private final int rejectedRounds;
    private final int workers;
    private final int roundsPerEpoch;
    private final long droppedWorkers;
    private final long droppedTokens;
    private RecipeValues recipe;

    /** The recipe values the fit used, automatic ones resolved (docs/training.md, "The recipe"). */
    public record RecipeValues(
            double learningRate,
            String lrSchedule,
            long plannedSteps,
            long warmupSteps,
            int localSteps,
            String outerOptimizer,
            double outerLearningRate)
            implements java.io.Serializable {}

    TopKSAETrainingSummary(
            List<RoundRecord> rounds,
            long validRows,
            InvalidRows invalid,
            int rejectedRounds,
            int workers,
            int roundsPerEpoch,
            long droppedWorkers,
            long droppedTokens) {
        this.rounds = List.copyOf(rounds);
        this.validRows = validRows;
        this.skippedNullRows = invalid.nullRows();
        this.skippedWrongLengthRows = invalid.wrongLengthRows();
        this.skippedNonFiniteRows = invalid.nonFiniteRows();
        this.rejectedRounds = rejectedRounds;
        this.workers = workers;
        this.roundsPerEpoch = roundsPerEpoch;
        this.droppedWorkers = droppedWorkers;
        this.droppedTokens = droppedTokens;
    }

    /** Worker round results dropped because the worker's state went non-finite (accepted and rejected rounds). */
    public long droppedWorkers() {
        return droppedWorkers;
    }

    /** Tokens the dropped workers had trained on: data the model did not learn from. */
    public long droppedTokens() {
        return droppedTokens;
    }

    /** The learning rate, schedule, local steps and outer step the fit used (null if not recorded). */
    public RecipeValues recipe() {
        return recipe;
    }

    TopKSAETrainingSummary withRecipe(RecipeValues r) {
        this.recipe = r;
        return this;
    }

    public List<RoundRecord> rounds() {
        return Collections.unmodifiableList(rounds);
    }

    /** The last round's record. */
    public RoundRecord last() {
        return rounds.get(rounds.size() - 1);
    }

    public long tokensSeen() {
        return rounds.isEmpty() ? 0 : last().tokensSeen();
    }

    /** Training tokens of the dead window: a concept is dead if it did not fire in the last this many. */
    public long deadWindow() {
        return rounds.isEmpty() ? 0 : last().deadWindow();
    }

    /** Share of concepts that did not fire in the last {@link #deadWindow()} training tokens. */
    public double deadFraction() {
        return rounds.isEmpty() ? 0 : last().deadFraction();
    }

    /** Share of concepts that never fired on the training rows of this fit. */
    public double neverFiredFraction() {
        return rounds.isEmpty() ? 1 : last().neverFiredFraction();
    }

    public long validRows() {
        return validRows;
    }

    public long skippedRows() {
        return skippedNullRows + skippedWrongLengthRows + skippedNonFiniteRows;
    }

    public long skippedNullRows() {
        return skippedNullRows;
    }

    public long skippedWrongLengthRows() {
        return skippedWrongLengthRows;
    }

    public long skippedNonFiniteRows() {
        return skippedNonFiniteRows;
    }

    /** Rounds whose averaged update was not finite and was not applied. */
    public int rejectedRounds() {
        return rejectedRounds;
    }

    public int workers() {
        return workers;
    }

    public int roundsPerEpoch() {
        return roundsPerEpoch;
    }

    /** Total wall time of the rounds over their communication time. */
    public double commShare() {
        double all = 0;
        double comm = 0;
        for (RoundRecord r : rounds) {
            all += r.seconds();
            comm += r.commSeconds();
        }
        return all > 0 ? comm / all : 0;
    }
}
