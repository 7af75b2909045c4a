package topksae.train;

/**
 * The learning rate as a pure function of the step index, so a resumed run sets the same rate at
 * the same step as an uninterrupted one. {@code lr(s) = peak * warmup(s) * shape(s)} with
 * {@code warmup(s) = min(1, (s + 1) / warmupSteps)} and, for progress {@code f} in [0, 1]:
 * <ul>
 *   <li>constant: 1 (with no warm-up, exactly the peak at every step);</li>
 *   <li>linear: {@code 1 - (1 - final) f}, f from the end of the warm-up to totalSteps;</li>
 *   <li>cosine: {@code final + (1 - final) (1 + cos(pi f)) / 2}, f as for linear;</li>
 *   <li>wsd (warm-up, stable, decay): 1 until the last {@code decayFraction} of totalSteps, then
 *       linear to final over them.</li>
 * </ul>
 * Steps past totalSteps keep the final rate.
 */
public record LrSchedule(
        String kind, double peak, long warmupSteps, long totalSteps, double decayFraction, double finalFraction)
        implements java.io.Serializable {
    public static final String[] KINDS = {"constant", "linear", "cosine", "wsd"};

    public LrSchedule {
        if (!java.util.Arrays.asList(KINDS).contains(kind)) {
            throw new IllegalArgumentException("lrSchedule must be one of " + String.join(", ", KINDS) + ": " + kind);
        }
        if (warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("warmupSteps and totalSteps must be >= 0");
        }
    }

    /** A fixed rate at every step (the core Trainer's behaviour). */
    public static LrSchedule constant(double lr) {
        return new LrSchedule("constant", lr, 0, 0, 0, 1);
    }

    /** The rate of step s (0-based). */
    public double at(long s) {
        double lr = peak * shape(s);
        return s < warmupSteps ? lr * (s + 1.0) / warmupSteps : lr;
    }

    private double shape(long s) {
        switch (kind) {
            case "linear":
                return 1 - (1 - finalFraction) * progress(s, warmupSteps);
            case "cosine":
                return finalFraction + (1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * progress(s, warmupSteps)));
            case "wsd":
                long decayStart = Math.max(warmupSteps, totalSteps - Math.round(decayFraction * totalSteps));
                return s < decayStart ? 1 : 1 - (1 - finalFraction) * progress(s, decayStart);
            default:
                return 1;
        }
    }

    /** (s - start) / (totalSteps - start), clamped to [0, 1]. */
    private double progress(long s, long start) {
        long span = totalSteps - start;
        if (span <= 0) {
            return s < start ? 0 : 1;
        }
        return Math.min(1, Math.max(0, (double) (s - start) / span));
    }
}
