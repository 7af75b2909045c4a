package topksae.job;

/**
 * What one training round reported, as the job logs, charts and writes it: deadFraction over the last
 * deadWindow training tokens, neverFiredFraction since the fit started.
 */
public record RoundStats(
        int round,
        long tokens,
        double loss,
        double fvu,
        double l0,
        double deadFraction,
        double neverFiredFraction,
        long deadWindow,
        double tokensPerSecond,
        double seconds) {}
