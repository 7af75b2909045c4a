package topksae.train;

/** Tokens since each latent last fired; a latent is dead after deadTokens tokens without firing. */
public final class DeadLatents {
    private final long[] sinceFired;
    private final long deadTokens;

    public DeadLatents(int nbConcepts, long deadTokens) {
        this.sinceFired = new long[nbConcepts];
        this.deadTokens = deadTokens;
    }

    public void update(long[] fireCounts, long tokens) {
        for (int j = 0; j < sinceFired.length; j++) {
            sinceFired[j] = fireCounts[j] > 0 ? 0 : sinceFired[j] + tokens;
        }
    }

    public boolean[] mask() {
        boolean[] m = new boolean[sinceFired.length];
        for (int j = 0; j < m.length; j++) {
            m[j] = sinceFired[j] >= deadTokens;
        }
        return m;
    }

    public long[] sinceFired() { return sinceFired; }

    /** A paper AuxK loss whose dead set is read from this tracker at every call. */
    Loss loss(double alpha, int kAux) {
        PaperAuxK aux = new PaperAuxK(alpha, kAux);
        return (x, xHat, pre, codes, dict) -> {
            aux.setDead(mask());
            return aux.apply(x, xHat, pre, codes, dict);
        };
    }
}
