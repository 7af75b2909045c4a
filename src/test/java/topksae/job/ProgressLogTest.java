package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import topksae.spark.RoundRecord;
import topksae.spark.TrainingState;

class ProgressLogTest {
    private static RoundRecord record(long tokensSeen, double seconds) {
        return new RoundRecord(0, 4, 1000, tokensSeen, 0.125, 0.3, 8, 0.01, 0.25, 2000, seconds, 0.1, 2, 0);
    }

    @Test
    void lineHasTokensLossFvuRateAndEta() {
        ProgressLog log = new ProgressLog(null, 10_000);
        // 7500 tokens left at 500 tokens/s -> 15 s
        String line = log.line(5, record(2500, 0.5), 500);
        assertTrue(line.startsWith("round 5/? epoch 1 tokens 2500/10000 (25.0%) loss 0.12500 fvu 0.3000"), line);
        assertTrue(line.contains("tokens/s 2000"), "this round's rate: " + line);
        assertTrue(line.contains("dead 0.010 (no fire in last 2000 tokens) never fired 0.250"), line);
        assertTrue(line.endsWith("eta 0:00:15"), line);
    }

    @Test
    void etaRateLeavesOutTheTimeBeforeTheFirstRound() {
        ProgressLog log = new ProgressLog(null, 10_000);
        // round 1 ends after a long read and layout pass: its own rate (1000 tokens in 0.5 s) counts
        log.onRound(record(1000, 0.5), new TrainingState(null, null, null, null, null, 0, 1, 1, 1000, null));
        assertEquals(2000, log.rate(record(1000, 0.5), System.nanoTime()), 1e-9);
        // later rounds: tokens since the first round ended over the time since then
        RoundRecord third = record(3000, 0.5);
        double rate = log.rate(third, System.nanoTime() + 4_000_000_000L);
        assertTrue(rate > 400 && rate <= 500, "2000 tokens in a little over 4 s: " + rate);
    }

    @Test
    void durations() {
        assertEquals("1:01:01", ProgressLog.duration(3661));
        assertEquals("0:00:00", ProgressLog.duration(0.2));
    }
}
