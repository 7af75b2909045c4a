package topksae.spark;

/**
 * Dead-concept tracking over a window of tokens: a concept is dead when it has not fired in the
 * last window tokens (or never, before window tokens were seen), at round granularity.
 */
final class DeadLatents {
  private final long window;
  private final long[] lastFired;
  private long seen;

  DeadLatents(int nbConcepts, long window) {
    this.window = window;
    this.lastFired = new long[nbConcepts];
    java.util.Arrays.fill(lastFired, -1);
  }

  /** Records a round of tokens with each concept's fire count. */
  void update(long tokens, long[] fireCounts) {
    seen += tokens;
    for (int c = 0; c < lastFired.length; c++) {
      if (fireCounts != null && fireCounts[c] > 0) {
        lastFired[c] = seen;
      }
    }
  }

  double deadFraction() {
    long dead = 0;
    for (long f : lastFired) {
      if (f < 0 || seen - f >= window) {
        dead++;
      }
    }
    return (double) dead / lastFired.length;
  }

  long[] lastFired() {
    return lastFired.clone();
  }

  void restore(long seenTokens, long[] last) {
    seen = seenTokens;
    System.arraycopy(last, 0, lastFired, 0, lastFired.length);
  }
}
