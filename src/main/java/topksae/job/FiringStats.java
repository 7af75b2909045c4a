package topksae.job;

/**
 * How often each latent fired over a sample of rows, and the log-scale histogram the report
 * draws: bins of half a decade of firing frequency from 1/rows up to 1; latents that never
 * fired are counted apart (log 0 has no bin).
 */
public record FiringStats(long rows, long[] counts) {
    /** Bins per decade of frequency. */
    public static final int BINS_PER_DECADE = 2;

    public int dead() {
        int n = 0;
        for (long c : counts) {
            n += c == 0 ? 1 : 0;
        }
        return n;
    }

    public double frequency(int latent) {
        return rows == 0 ? 0 : (double) counts[latent] / rows;
    }

    /** Bin edges in log10(frequency), from floor(log10(1/rows)) to 0. */
    public double[] edges() {
        int lowest = (int) Math.floor(Math.log10(1.0 / Math.max(rows, 1)));
        int bins = Math.max(1, -lowest * BINS_PER_DECADE);
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            e[i] = lowest + (double) i / BINS_PER_DECADE;
        }
        return e;
    }

    /** Latents (that fired at least once) per bin of {@link #edges()}; frequency 1 is in the last. */
    public long[] histogram() {
        double[] e = edges();
        long[] h = new long[e.length - 1];
        for (long c : counts) {
            if (c > 0) {
                double lf = Math.log10((double) c / rows);
                int bin = (int) Math.floor((lf - e[0]) * BINS_PER_DECADE + 1e-9);
                h[Math.max(0, Math.min(h.length - 1, bin))]++;
            }
        }
        return h;
    }
}
