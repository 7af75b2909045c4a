package topksae.spark;

import topksae.train.StepStats;

/**
 * Sums over the workers of one round: model states, optimizer states (averaged mode), step
 * statistics, and the slowest worker's compute time. Workers whose state is not finite are
 * counted as rejected (with the tokens they trained on) and left out of the sums.
 */
final class RoundResult implements java.io.Serializable {
    float[] state;
    float[] optimizer;
    StepStats stats;
    int workers;
    int rejected;
    long rejectedTokens;
    double maxComputeSeconds;

    static RoundResult empty() {
        return new RoundResult();
    }

    static RoundResult rejected(long tokens, double seconds) {
        RoundResult r = new RoundResult();
        r.rejected = 1;
        r.rejectedTokens = tokens;
        r.maxComputeSeconds = seconds;
        return r;
    }

    static RoundResult of(float[] state, float[] optimizer, StepStats stats, double seconds) {
        RoundResult r = new RoundResult();
        r.state = state;
        r.optimizer = optimizer;
        r.stats = stats;
        r.workers = 1;
        r.maxComputeSeconds = seconds;
        return r;
    }

    /** Adds o into this (o's arrays may be reused). */
    RoundResult merge(RoundResult o) {
        state = add(state, o.state);
        optimizer = add(optimizer, o.optimizer);
        if (o.stats != null) {
            if (stats == null) {
                stats = o.stats;
            } else {
                stats.merge(o.stats);
            }
        }
        workers += o.workers;
        rejected += o.rejected;
        rejectedTokens += o.rejectedTokens;
        maxComputeSeconds = Math.max(maxComputeSeconds, o.maxComputeSeconds);
        return this;
    }

    private static float[] add(float[] a, float[] b) {
        if (a == null) {
            return b;
        }
        if (b != null) {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
        return a;
    }

    static boolean finite(float[] a) {
        if (a == null) {
            return true;
        }
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
