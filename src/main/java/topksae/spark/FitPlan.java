package topksae.spark;

/**
 * What a fit will do, known once the rows are read, validated and cached (before the first
 * round): valid rows, workers, rounds per epoch, tokens already done (a resumed fit) and tokens
 * the whole fit will have seen at its end (rows x maxEpochs, capped by maxTokens).
 */
public record FitPlan(long rows, int workers, int roundsPerEpoch, long tokensDone, long tokensPlanned)
        implements java.io.Serializable {

    static FitPlan of(TopKSAEParams p, long rows, int workers, int roundsPerEpoch, long tokensDone) {
        long planned = Math.multiplyExact(rows, (long) p.getMaxEpochs());
        if (p.getMaxTokens() > 0) {
            planned = Math.min(planned, p.getMaxTokens());
        }
        return new FitPlan(rows, workers, roundsPerEpoch, tokensDone, Math.max(planned, tokensDone));
    }
}
