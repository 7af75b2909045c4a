package topksae.train;

/**
 * Dead concepts, one meaning everywhere (trainer, Spark rounds, summaries, AuxK): a concept is dead
 * when it has not fired in the last {@code window} training tokens, counting from the start of the run
 * for a concept that never fired (so nothing is dead before window tokens were seen). Also kept: which
 * concepts never fired at all in the run. Updated per step (trainer) or per round with the workers'
 * merged fire counts (Spark).
 */
public final class DeadLatents {
    private final long[] sinceFired;
    private final boolean[] everFired;
    private final long window;
    private long seen;

    public DeadLatents(int nbConcepts, long window) {
        if (window < 0) {
            throw new IllegalArgumentException(
                    "the dead window must be >= 0 tokens (0: every concept dead), got " + window);
        }
        this.sinceFired = new long[nbConcepts];
        this.everFired = new boolean[nbConcepts];
        this.window = window;
    }

    /** Records tokens training tokens in which concept j fired fireCounts[j] times. */
    public void update(long[] fireCounts, long tokens) {
        seen += tokens;
        for (int j = 0; j < sinceFired.length; j++) {
            boolean fired = fireCounts != null && fireCounts[j] > 0;
            sinceFired[j] = fired ? 0 : sinceFired[j] + tokens;
            everFired[j] |= fired;
        }
    }

    /** into[j] = concept j is dead (in the window); returns into. */
    public boolean[] mask(boolean[] into) {
        for (int j = 0; j < into.length; j++) {
            into[j] = sinceFired[j] >= window;
        }
        return into;
    }

    public boolean[] mask() {
        return mask(new boolean[sinceFired.length]);
    }

    /** Share of concepts that did not fire in the last window tokens. */
    public double deadFraction() {
        long dead = 0;
        for (long s : sinceFired) {
            dead += s >= window ? 1 : 0;
        }
        return (double) dead / sinceFired.length;
    }

    /** Share of concepts that never fired in this run (training tokens seen so far). */
    public double neverFiredFraction() {
        long never = 0;
        for (boolean f : everFired) {
            never += f ? 0 : 1;
        }
        return (double) never / everFired.length;
    }

    public long window() {
        return window;
    }

    /** Training tokens recorded so far. */
    public long tokensSeen() {
        return seen;
    }

    /** Per concept, training tokens since it last fired (since the start if it never did). */
    public long[] sinceFired() {
        return sinceFired.clone();
    }

    /** Per concept, the token count at its last firing, -1 if it never fired (checkpoint form). */
    public long[] lastFired() {
        long[] last = new long[sinceFired.length];
        for (int j = 0; j < last.length; j++) {
            last[j] = everFired[j] ? seen - sinceFired[j] : -1;
        }
        return last;
    }

    /** Restores the checkpoint form of {@link #lastFired()} after seenTokens tokens. */
    public void restore(long seenTokens, long[] last) {
        seen = seenTokens;
        for (int j = 0; j < sinceFired.length; j++) {
            everFired[j] = last[j] >= 0;
            sinceFired[j] = everFired[j] ? seenTokens - last[j] : seenTokens;
        }
    }

    /** Copies o's state (e.g. the driver's merged state into a worker at the start of a round). */
    public void copyFrom(DeadLatents o) {
        seen = o.seen;
        System.arraycopy(o.sinceFired, 0, sinceFired, 0, sinceFired.length);
        System.arraycopy(o.everFired, 0, everFired, 0, everFired.length);
    }

    /** A paper AuxK loss whose dead set is read from this tracker at every call. */
    Loss loss(double alpha, int kAux) {
        PaperAuxK aux = new PaperAuxK(alpha, kAux);
        boolean[] dead = new boolean[sinceFired.length];
        return (x, xHat, pre, codes, dict) -> {
            aux.setDead(mask(dead));
            return aux.apply(x, xHat, pre, codes, dict);
        };
    }

    @Override
    public String toString() {
        return "DeadLatents[window=" + window + ", seen=" + seen + ", dead=" + deadFraction() + ", neverFired="
                + neverFiredFraction() + "]";
    }
}
