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
 * One log line per round (tokens done/total, loss, FVU, L0, dead fraction, tokens/s, ETA), the
 * Spark UI description of the next round's jobs, and the rounds kept for the report.
 */
public final class ProgressLog implements RoundListener {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

  private final SparkContext sc;
  private final long totalTokens;
  private final long startTokens;
  private final long startNanos = System.nanoTime();
  private final List<RoundStats> rounds = new ArrayList<>();
  private long tokensPerRound;

  /** totalTokens: tokens the whole fit will see; startTokens: already seen (resume). */
  public ProgressLog(SparkContext sc, long totalTokens, long startTokens) {
    this.sc = sc;
    this.totalTokens = totalTokens;
    this.startTokens = startTokens;
  }

  @Override
  public void onRound(RoundRecord r, TrainingState state) {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    rounds.add(new RoundStats(state.roundsDone, r.tokensSeen(), r.loss(), r.fvu(), r.l0(),
        r.deadFraction(), r.neverFiredFraction(), r.deadWindow(), r.tokensPerSecond(), r.seconds()));
    tokensPerRound = Math.max(tokensPerRound, r.tokens());
    LOG.info(line(state.roundsDone, r, elapsed));
    sc.setJobDescription(String.format(Locale.ROOT, "topksae round %d/%s (epoch %d)",
        state.roundsDone + 1, roundsTotal(), state.epoch + 1));
  }

  /** The rounds seen so far, for the report. */
  public List<RoundStats> rounds() {
    return rounds;
  }

  String line(int round, RoundRecord r, double elapsed) {
    long done = r.tokensSeen();
    double rate = (done - startTokens) / Math.max(elapsed, 1e-9);
    double eta = totalTokens > done ? (totalTokens - done) / Math.max(rate, 1e-9) : 0;
    return String.format(Locale.ROOT,
        "round %d/%s epoch %d tokens %d/%d (%.1f%%) loss %.5g fvu %.4f l0 %.1f dead %.3f "
            + "(no fire in last %d tokens) never fired %.3f tokens/s %.0f eta %s",
        round, roundsTotal(), r.epoch() + 1, done, totalTokens,
        100.0 * done / Math.max(totalTokens, 1), r.loss(), r.fvu(), r.l0(), r.deadFraction(),
        r.deadWindow(), r.neverFiredFraction(), r.tokensPerSecond(), duration(eta));
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
