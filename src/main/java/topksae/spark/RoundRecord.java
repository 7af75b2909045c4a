package topksae.spark;

/**
 * Metrics of one averaging round. loss, fvu and l0 are over the round's local steps on all
 * workers (fvu centred: sum (x - x_hat)^2 / sum (x - mean x)^2); deadFraction is the share of
 * concepts that did not fire in the last deadWindow training tokens, neverFiredFraction the share
 * that did not fire at all since the fit started (both on training rows, all workers merged at
 * round granularity; see topksae.train.DeadLatents); commSeconds is the round's wall time minus the slowest worker's compute
 * time (scheduling, broadcast, aggregation, driver update).
 */
public record RoundRecord(
        int epoch,
        int round,
        long tokens,
        long tokensSeen,
        double loss,
        double fvu,
        double l0,
        double deadFraction,
        double neverFiredFraction,
        long deadWindow,
        double seconds,
        double commSeconds,
        int workers,
        int rejectedWorkers)
        implements java.io.Serializable {

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }

    /** One log line, e.g. for progress output. */
    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "epoch %d round %d tokens %d seen %d loss %.6g fvu %.4f l0 %.2f dead %.4f (window %d) never fired %.4f tokens/s %.0f comm %.1f%% workers %d%s",
                epoch,
                round,
                tokens,
                tokensSeen,
                loss,
                fvu,
                l0,
                deadFraction,
                deadWindow,
                neverFiredFraction,
                tokensPerSecond(),
                seconds > 0 ? 100 * commSeconds / seconds : 0,
                workers,
                rejectedWorkers > 0 ? " rejected " + rejectedWorkers : "");
    }
}
