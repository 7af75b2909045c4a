package topksae.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import topksae.spark.RoundRecord;

class ProgressLogTest {
  @Test
  void lineHasTokensLossFvuRateAndEta() {
    ProgressLog log = new ProgressLog(null, 10_000, 0);
    RoundRecord r = new RoundRecord(0, 4, 1000, 2500, 0.125, 0.3, 8, 0.01, 0.25, 2000, 0.5, 0.1, 2, 0);
    // 2500 tokens in 5 s: 500 tokens/s overall, 7500 left -> 15 s
    String line = log.line(5, r, 5.0);
    assertTrue(line.startsWith("round 5/? epoch 1 tokens 2500/10000 (25.0%) loss 0.12500 fvu 0.3000"), line);
    assertTrue(line.contains("tokens/s 2000"), "this round's rate: " + line);
    assertTrue(line.contains("dead 0.010 (no fire in last 2000 tokens) never fired 0.250"), line);
    assertTrue(line.endsWith("eta 0:00:15"), line);
  }

  @Test
  void etaCountsOnlyTokensOfThisRun() {
    ProgressLog log = new ProgressLog(null, 10_000, 2000);   // resumed at 2000
    RoundRecord r = new RoundRecord(0, 4, 1000, 3000, 0.1, 0.3, 8, 0, 0, 100, 1, 0, 2, 0);
    assertTrue(log.line(3, r, 10.0).endsWith("eta 0:01:10"), "1000 tokens in 10 s, 7000 left");
  }

  @Test
  void durations() {
    assertEquals("1:01:01", ProgressLog.duration(3661));
    assertEquals("0:00:00", ProgressLog.duration(0.2));
  }
}
