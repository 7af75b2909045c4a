package topksae.job;

/** What one training round reported, as the job logs, charts and writes it. */
public record RoundStats(int round, long tokens, double loss, double fvu, double l0,
                         double deadFraction, double tokensPerSecond, double seconds) {
}
