package topksae.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import topksae.spark.RoundListener;
import topksae.spark.RoundRecord;
import topksae.spark.TrainingState;

/**
 * One log line per round (tokens done/total, loss, FVU, L0, dead fraction, tokens/s, ETA, workers
 * dropped as non-finite), the
 * Spark UI description of the next round's jobs, and the rounds kept for the report.
 */
public final class ProgressLog implements RoundListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

    private final SparkContext sc;
    private final long totalTokens;
    private final List<RoundStats> rounds = new ArrayList<>();
    private long firstRoundNanos;
    private long firstRoundTokens;
    private long tokensPerRound;

    /** totalTokens: tokens the whole fit will see (counting those done before a resume). */
    public ProgressLog(SparkContext sc, long totalTokens) {
        this.sc = sc;
        this.totalTokens = totalTokens;
    }

    @Override
    public void onRound(RoundRecord r, TrainingState state) {
        long now = System.nanoTime();
        if (rounds.isEmpty()) {
            firstRoundNanos = now;
            firstRoundTokens = r.tokensSeen();
        }
        rounds.add(new RoundStats(
                state.roundsDone,
                r.tokensSeen(),
                r.loss(),
                r.fvu(),
                r.l0(),
                r.deadFraction(),
                r.neverFiredFraction(),
                r.deadWindow(),
                r.tokensPerSecond(),
                r.seconds()));
        tokensPerRound = Math.max(tokensPerRound, r.tokens());
        LOG.info(line(state.roundsDone, r, rate(r, now)));
        if (sc == null) {
            return;
        }
        sc.setJobDescription(String.format(
                Locale.ROOT, "topksae round %d/%s (epoch %d)", state.roundsDone + 1, roundsTotal(), state.epoch + 1));
    }

    /** The rounds seen so far, for the report. */
    public List<RoundStats> rounds() {
        return rounds;
    }

    /**
     * Tokens/s for the ETA: over the rounds since the first one ended (the read and layout pass
     * before round 1 is not training speed), the first round's own rate until then.
     */
    double rate(RoundRecord r, long now) {
        double since = (now - firstRoundNanos) / 1e9;
        long tokens = r.tokensSeen() - firstRoundTokens;
        return tokens > 0 && since > 0 ? tokens / since : r.tokensPerSecond();
    }

    String line(int round, RoundRecord r, double rate) {
        long done = r.tokensSeen();
        double eta = totalTokens > done ? (totalTokens - done) / Math.max(rate, 1e-9) : 0;
        return String.format(
                Locale.ROOT,
                "round %d/%s epoch %d tokens %d/%d (%.1f%%) loss %.5g fvu %.4f l0 %.1f dead %.3f "
                        + "(no fire in last %d tokens) never fired %.3f tokens/s %.0f eta %s%s",
                round,
                roundsTotal(),
                r.epoch() + 1,
                done,
                totalTokens,
                100.0 * done / Math.max(totalTokens, 1),
                r.loss(),
                r.fvu(),
                r.l0(),
                r.deadFraction(),
                r.deadWindow(),
                r.neverFiredFraction(),
                r.tokensPerSecond(),
                duration(eta),
                dropped(r));
    }

    /** Workers whose state went non-finite this round: their tokens were not learned from. */
    private static String dropped(RoundRecord r) {
        return r.rejectedWorkers() == 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        " DROPPED %d of %d workers (non-finite)",
                        r.rejectedWorkers(),
                        r.workers() + r.rejectedWorkers());
    }

    private String roundsTotal() {
        return tokensPerRound > 0 ? "~" + (totalTokens + tokensPerRound - 1) / tokensPerRound : "?";
    }

    /** h:mm:ss */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
